/** The error of a webhook template that cannot be parsed or rendered. */
import { PermanentError } from '../../errors.js';

/** A template that cannot be parsed or rendered (a config error at start-up). */
export class TemplateError extends PermanentError {}
