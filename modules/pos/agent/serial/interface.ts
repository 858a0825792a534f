/**
 * Type re-export of `@serialport/bindings-interface`.
 *
 * The package's `exports` map has no `types` condition, so under `moduleResolution: "bundler"`
 * TypeScript resolves the bare specifier to `dist/index-esm.mjs` and finds no declarations.
 * Importing the declaration file by path (type-only, erased at runtime) keeps the binding
 * checked against the real upstream interface.
 */
export type {
  BindingInterface,
  BindingPortInterface,
  BindingsErrorInterface,
  OpenOptions,
  PortInfo,
  PortStatus,
  SetOptions,
  UpdateOptions,
} from "../../../../node_modules/@serialport/bindings-interface/dist/index";
