/**
 * Stands in for the whatwg-url package in every bundle (scripts/bundle-options.mjs, ADR 0010). Its one
 * importer, node-fetch 2 (client-node's HTTP), takes `require('url').URL || whatwgUrl.URL`, and Node
 * has had url.URL since 10, so the package's code never runs; importing it still builds tr46's Unicode
 * mapping table, about half of the IMDS daemon's Kubernetes client load on its first notice.
 */
export const URL = globalThis.URL;
export default { URL };
