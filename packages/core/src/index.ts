// @msct/core: the pure clinical core. Each area is exported from its own folder.
export {};
