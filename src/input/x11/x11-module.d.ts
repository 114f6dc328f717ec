// The `x11` npm package (node-x11, pure JavaScript) ships no type declarations;
// src/input/x11/client.ts wraps the few calls fleetsim uses behind typed promises.
declare module 'x11';
