// Version of the HTTP API's contract (the /api/v1 paths and their shapes).

/** Reported in the OpenAPI document's info.version. */
export const NESTOR_API_VERSION = '1.0.0';
