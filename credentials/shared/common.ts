/**
 * Credential fields built from a platform's settings schema (shared/platforms/<p>/settings.ts): the field name the
 * credential stores, its label, type, default, whether it is required or a secret, its limits and its description
 * all come from the schema, so the form, the checks and their errors ("Monitored Users is required") agree. A
 * credential file lists which settings its form shows, in order, and only how they look (placeholder, option
 * names, when a field shows); `nodes/shared/connection-config.ts` reads the saved values back through the schema.
 */
import type { INodeProperties, INodePropertyOptions } from 'n8n-workflow';
import { fieldName, type SettingSpec } from '../../shared/connection/settings';

/** How the form shows one setting, beyond what its schema says. */
export interface FieldLook {
  /** The schema key. */
  key: string;
  /** Another wording of the same stored field, shown for another option (Voicenter's "Username" for `login`). */
  displayName?: string;
  placeholder?: string;
  /** An enum's values as the list names them (every value must be one of the schema's). */
  options?: Record<string, string | { name: string; description?: string }>;
  /** displayOptions.show: when the field is shown. */
  show?: Record<string, string[]>;
  /** Required where the schema leaves it to a rule across fields (a login for a login type). */
  required?: boolean;
  /** The form's default where it differs from the schema's (an empty URL meaning the public service). */
  default?: string;
  /** Text-area rows (certificates). */
  rows?: number;
  /** Shown masked though not a secret (a pasted certificate, as the form always showed it). */
  masked?: boolean;
}

const TYPE: Record<SettingSpec['type'], INodeProperties['type']> = {
  string: 'string', url: 'string', list: 'string', number: 'number', boolean: 'boolean', enum: 'options',
};

/** One credential property from its schema entry and its look. */
export function credentialField(spec: SettingSpec, look: FieldLook): INodeProperties {
  const dflt = look.default ?? (Array.isArray(spec.default) ? spec.default.join(', ') : spec.default ?? (spec.type === 'boolean' ? false : ''));
  const p: INodeProperties = {
    displayName: look.displayName ?? spec.label.n8n,
    name: fieldName(spec, 'n8n'),
    type: TYPE[spec.type],
    default: dflt,
    description: spec.type === 'list' ? `${spec.description} (comma-separated)` : spec.description,
  };
  if (look.required ?? spec.required) p.required = true;
  const typeOptions: NonNullable<INodeProperties['typeOptions']> = {};
  if (look.rows) typeOptions.rows = look.rows;
  if (spec.secret || look.masked) typeOptions.password = true;
  if (spec.type === 'number' && spec.limits?.min !== undefined) typeOptions.minValue = spec.limits.min;
  if (spec.type === 'number' && spec.limits?.max !== undefined) typeOptions.maxValue = spec.limits.max;
  if (Object.keys(typeOptions).length) p.typeOptions = typeOptions;
  if (look.placeholder) p.placeholder = look.placeholder;
  if (spec.type === 'enum') {
    p.options = (spec.limits?.values ?? []).map((value): INodePropertyOptions => {
      const o = look.options?.[value] ?? value;
      return typeof o === 'string' ? { name: o, value } : { name: o.name, value, ...(o.description ? { description: o.description } : {}) };
    });
  }
  if (look.show) p.displayOptions = { show: look.show };
  return p;
}

/** The form: `looks` in order, each built from its schema entry. A key the schema lacks is a programming error. */
export function credentialFields(specs: readonly SettingSpec[], looks: ReadonlyArray<FieldLook | string>): INodeProperties[] {
  return looks.map((l) => {
    const look = typeof l === 'string' ? { key: l } : l;
    const spec = specs.find((s) => s.key === look.key);
    if (!spec) throw new Error(`credential field "${look.key}" is not a setting of this platform`);
    for (const v of Object.keys(look.options ?? {})) {
      if (!spec.limits?.values?.includes(v)) throw new Error(`credential field "${look.key}": "${v}" is not one of its values`);
    }
    return credentialField(spec, look);
  });
}

/** The ALE session fields (OpenTouch, O2G): session kind, the users an administrator monitors, which URLs. */
export const ALE_SESSION: FieldLook[] = [
  { key: 'sessionKind', options: { user: { name: 'User', description: "The login's own calls and settings" }, admin: { name: 'Administrator', description: 'An administrator session that monitors and acts for several users' } } },
  { key: 'users', placeholder: 'alice, bob, 203', show: { sessionKind: ['admin'] } },
  { key: 'urlKind', options: { public: 'Public', private: 'Private (LAN)' } },
];

/** The ALE TLS fields: accept any certificate, or trust a CA. */
export const ALE_TLS: FieldLook[] = [{ key: 'insecure' }, { key: 'ca', rows: 4, masked: true, placeholder: '-----BEGIN CERTIFICATE-----' }];
