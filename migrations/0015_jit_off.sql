-- OLTP statements regress with JIT (a 3 km KNN search: 47 ms with JIT, 1-2 ms without). Connections the objects and
-- readers opened themselves ran `SET jit = off`; over Neon's HTTP path no session outlives a statement, so the
-- setting belongs to the database, where every new session (Neon's pooled ones included) picks it up.
DO $$
BEGIN
  EXECUTE format('ALTER DATABASE %I SET jit = off', current_database());
END
$$;
