// What every bridge does with its HTTP server: listen (and again, on the same port, after a fault test suspended it)
// and stop listening without waiting for open connections to finish.

/**
 * @param {import("node:http").Server} server
 * @param {number} port 0 for an ephemeral port
 * @param {string} host
 * @returns {Promise<void>}
 */
export const listenOn = (server, port, host) =>
  new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve(undefined);
    });
  });

/** @param {import("node:http").Server} server @returns {Promise<void>} */
export const stopListening = (server) =>
  server.listening ? new Promise((resolve) => server.close(() => resolve(undefined))) : Promise.resolve();
