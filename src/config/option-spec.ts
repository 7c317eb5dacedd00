/** The shape of one option in the schema; the loader, --help and docs/configuration.md all read it. */
import type { Config, DerivedFields, Mode, SectionName } from './config-types.js';

/** Which modes an option applies to. */
export type Scope = Mode | 'both';

/** Another name an option is accepted under (mostly NTH's). */
export interface OptionAlias {
  readonly env?: string;
  readonly flag?: string;
  /** True when this is an aws-node-termination-handler name. */
  readonly nth?: boolean;
  /** For a boolean alias of an enum option: the value meant by true and by false. */
  readonly boolMap?: { readonly true: string; readonly false: string };
}

interface CommonSpec {
  /** Long flag with leading dashes, or undefined for env-only options. */
  readonly flag: string | undefined;
  readonly env: string;
  readonly aliases?: readonly OptionAlias[];
  readonly modes: Scope;
  /** Required in this mode. */
  readonly requiredIn?: Mode;
  /** Setting it in the other mode is an error (not just a warning). */
  readonly errorOutsideMode?: boolean;
  /** Printed as "[redacted]" in logs. */
  readonly secret?: boolean;
  /** Shown instead of the default value when the default is computed. */
  readonly defaultText?: string;
  readonly description: string;
}

/** true/false; flags also take --x, --x=true|false, --no-x. */
export interface BoolSpec extends CommonSpec {
  readonly type: 'bool';
  readonly default: boolean;
}

/** A whole number in [min, max], or one of `special` (e.g. -1 = auto). */
export interface IntSpec extends CommonSpec {
  readonly type: 'int';
  readonly default: number;
  readonly min: number;
  readonly max: number;
  readonly special?: readonly number[];
}

/** Free text (a name or a file path). */
export interface StringSpec extends CommonSpec {
  readonly type: 'string';
  readonly default: string | undefined;
}

/** An absolute http(s) URL. */
export interface UrlSpec extends CommonSpec {
  readonly type: 'url';
  readonly default: string | undefined;
}

/** One of a fixed set of values. */
export interface EnumSpec extends CommonSpec {
  readonly type: 'enum';
  readonly values: readonly string[];
  readonly default: string;
  readonly caseInsensitive?: boolean;
}

/** Comma-separated values, optionally from a fixed set. */
export interface ListSpec extends CommonSpec {
  readonly type: 'list';
  readonly values?: readonly string[];
  readonly default: readonly string[];
}

/** `k=v,k2=v2`. */
export interface MapSpec extends CommonSpec {
  readonly type: 'map';
  readonly default: Readonly<Record<string, string>>;
}

/** A JSON object whose values are strings. */
export interface JsonSpec extends CommonSpec {
  readonly type: 'json';
  readonly default: Readonly<Record<string, string>>;
}

/** Any option. */
export type OptionSpec = BoolSpec | IntSpec | StringSpec | UrlSpec | EnumSpec | ListSpec | MapSpec | JsonSpec;

/** The spec kinds allowed for a config field of type T (so defaults and keys are checked at compile time). */
export type SpecFor<T> = [T] extends [boolean]
  ? BoolSpec
  : [T] extends [number]
    ? IntSpec
    : [T] extends [readonly string[]]
      ? ListSpec
      : [T] extends [Readonly<Record<string, string>>]
        ? MapSpec | JsonSpec
        : string extends T
          ? StringSpec | UrlSpec
          : EnumSpec;

type DerivedKey<S extends SectionName> = S extends keyof DerivedFields ? DerivedFields[S] : never;

/** Every non-derived key of section S must have a spec of the right kind. */
export type SectionSchema<S extends SectionName> = {
  readonly [K in Exclude<keyof Config[S], DerivedKey<S>>]-?: SpecFor<Config[S][K]>;
};

/** The complete schema. */
export type Schema = { readonly [S in SectionName]: SectionSchema<S> };

/** One schema entry with its place in the config. */
export type OptionEntry = OptionSpec & { readonly section: SectionName; readonly key: string };

/** An NTH option that has no meaning for us: accepted, ignored with a warning. */
export interface IgnoredOption {
  readonly env: string;
  readonly flag: string;
  readonly takesValue: boolean;
  readonly why: string;
}
