/**
 * Database sizes as people write them ("1GB", "200MB", "1.5GiB"), read as bytes with binary
 * multiples (1 GB = 1024^3 bytes, as PostgreSQL's `pg_size_pretty` and pgBackRest count), and
 * written back for reports. Pure.
 */

const UNITS: Readonly<Record<string, number>> = { KB: 1024, MB: 1024 ** 2, GB: 1024 ** 3, TB: 1024 ** 4 };

/**
 * Parses "1GB", "200MB", "512mb", "1.5GiB" into bytes. Throws naming `flag`, the value and what
 * is allowed when the text is not a size or is below `minBytes`.
 */
export function parseByteSize(text: string, flag: string, minBytes = 1): number {
  const match = /^(\d+(?:\.\d+)?)\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)$/i.exec(text.trim());
  if (!match) throw new Error(`${flag} is "${text}"; use a number with KB, MB, GB or TB (binary multiples), e.g. 1GB or 200MB`);
  const bytes = Number(match[1]) * UNITS[match[2]!.toUpperCase().replace("IB", "B")]!;
  if (bytes < minBytes) throw new Error(`${flag} is "${text}"; use at least ${formatBytes(minBytes)}`);
  return bytes;
}

/** Bytes as "1.0 GiB" / "512 MiB", for reports. */
export function formatBytes(bytes: number): string {
  if (bytes >= UNITS.GB!) return `${(bytes / UNITS.GB!).toFixed(1)} GiB`;
  return `${(bytes / UNITS.MB!).toFixed(0)} MiB`;
}
