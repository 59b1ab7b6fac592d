// YAML for `-o yaml` and the library, loaded on demand (`await import('./yaml-codec.ts')`): most runs
// never need it. A module of ours in between, because a bundle's dynamic import of yaml's CommonJS
// build would keep only its default export.
export { parse, stringify } from 'yaml';
