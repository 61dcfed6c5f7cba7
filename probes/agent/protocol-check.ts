/**
 * The protocol's small checker: strict objects (unknown fields refused), required fields, and
 * one error type whose code says what kind of refusal it was, so the receiver can log it and
 * tests can assert the exact cause.
 */

export type ProtocolErrorCode =
  | 'bad_json'
  | 'too_large'
  | 'bad_version'
  | 'unknown_type'
  | 'unknown_field'
  | 'missing_field'
  | 'bad_value'
  | 'unknown_probe'
  | 'not_in_catalog'
  | 'action_not_allowed';

export class ProtocolError extends Error {
  readonly code: ProtocolErrorCode;
  constructor(code: ProtocolErrorCode, message: string) {
    super(message);
    this.code = code;
  }
}

export function fail(code: ProtocolErrorCode, message: string): never {
  throw new ProtocolError(code, message);
}

export interface FieldSpec {
  required?: boolean;
  /** Throws ProtocolError when the value is wrong; `where` names the field for the message. */
  check?: (value: unknown, where: string) => void;
}

export type Spec = Record<string, FieldSpec>;

/** Checks `value` is a plain object with only the fields of `spec`, each passing its check. */
export function strictObject(value: unknown, where: string, spec: Spec): void {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    fail('bad_value', `${where} must be an object`);
  const obj = value as Record<string, unknown>;
  for (const key of Object.keys(obj)) {
    if (!Object.hasOwn(spec, key)) {
      fail(
        'unknown_field',
        `${where}.${key} is not a field of ${where}; accepted: ${Object.keys(spec).join(', ')}`,
      );
    }
  }
  for (const [key, field] of Object.entries(spec)) {
    const v = obj[key];
    if (v === undefined) {
      if (field.required) fail('missing_field', `${where}.${key} is required`);
      continue;
    }
    field.check?.(v, `${where}.${key}`);
  }
}
