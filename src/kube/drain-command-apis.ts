/**
 * The two API classes `spot-handler drain` uses, imported by name. A dynamic `import()` of the package
 * itself would hand esbuild the whole namespace, and every generated API group (3 MB) would then sit in
 * the chunk the IMDS daemon loads on its first notice (ADR 0010).
 */
export { AppsV1Api, CoreV1Api } from '@kubernetes/client-node';
