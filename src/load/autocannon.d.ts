// autocannon ships no type declarations; fleetsim uses the few calls in capacity.ts.
declare module 'autocannon';
