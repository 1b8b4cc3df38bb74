// A module that loads only when first used: what the CLI bundles put in place of the parts of
// @pulumi/pulumi that an offline plan never calls (the TypeScript compiler behind function
// serialisation, npm's Arborist behind `computeCodePaths`, the Automation API). Any use other
// than reading `__esModule` loads the real module and forwards to it, so behaviour is the same
// and only the time of loading moves.
//
// `__esModule` answers true without loading: TypeScript's `__importStar(require(x))` reads it
// at once and, when true, keeps the module object instead of copying every key (which would
// load it). `default` then answers what `__importStar` would have given: the module's own
// `default` when it is an ES module, otherwise the module itself.
"use strict";

/**
 * @param {() => any} load requires the real module
 * @returns {any} a stand-in that loads the module on first use
 */
function lazyModule(load) {
  let real;
  const target = () => (real ??= load());
  return new Proxy(
    {},
    {
      get(_, key) {
        if (key === "__esModule") return true;
        const module = target();
        if (key === "default" && !module.__esModule) return module;
        return module[key];
      },
      set(_, key, value) {
        target()[key] = value;
        return true;
      },
      has: (_, key) => key === "__esModule" || key in target(),
      ownKeys: () => Reflect.ownKeys(target()),
      getOwnPropertyDescriptor(_, key) {
        const descriptor = Reflect.getOwnPropertyDescriptor(target(), key);
        // The stand-in's own target has none of these keys: a proxy may only report them as configurable.
        return descriptor && { ...descriptor, configurable: true };
      },
      defineProperty: (_, key, descriptor) => Reflect.defineProperty(target(), key, descriptor),
      deleteProperty: (_, key) => Reflect.deleteProperty(target(), key),
    },
  );
}

module.exports = { lazyModule };
