/** The version baked in by the bundler; `-dev` when running from source. */
declare const __SPOT_HANDLER_VERSION__: string | undefined;

export const VERSION: string =
  typeof __SPOT_HANDLER_VERSION__ === 'string' ? __SPOT_HANDLER_VERSION__ : '0.1.0-dev';
