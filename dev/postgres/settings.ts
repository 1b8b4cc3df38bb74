/** postgresql.conf settings and SQL literals, as the harness writes them. */

/** A postgresql.conf value: strings are quoted, numbers written bare, booleans as on/off. */
export type PgSettingValue = string | number | boolean;

/** postgresql.conf settings by name, e.g. `{ archive_mode: "on", archive_timeout: 60 }`. */
export type PgSettings = Readonly<Record<string, PgSettingValue>>;

/** Renders settings as postgresql.conf lines; throws on a name that is not a setting name. */
export function renderSettings(settings: PgSettings): string {
  return Object.entries(settings)
    .map(([name, value]) => {
      if (!/^[A-Za-z_][A-Za-z0-9_.]*$/.test(name)) {
        throw new Error(`settings: key "${name}" is not a postgresql.conf setting name (letters, digits, "_", ".")`);
      }
      const rendered =
        typeof value === "boolean" ? (value ? "on" : "off")
        : typeof value === "number" ? String(value)
        : `'${value.replace(/\\/g, "\\\\").replace(/'/g, "''")}'`;
      return `${name} = ${rendered}\n`;
    })
    .join("");
}

/** Quotes a string as an SQL literal ('it''s'). */
export function sqlLiteral(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}
