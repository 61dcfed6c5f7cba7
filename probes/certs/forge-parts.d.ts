// Types for the node-forge parts imported one by one (the package types only its index).
declare module 'node-forge/lib/forge.js' {
  import forge from 'node-forge';
  export default forge;
}
declare module 'node-forge/lib/asn1.js' {}
declare module 'node-forge/lib/sha256.js' {}
