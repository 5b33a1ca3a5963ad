// Lets Node-side tests import modules that declare Durable Object classes (the OpenAPI document test builds the
// app without running it). Nothing here executes: the classes only need a base class to extend.
export class DurableObject {}
export class WorkerEntrypoint {}
