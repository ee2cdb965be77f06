// SPDX-License-Identifier: Apache-2.0
// The canonical JSON row format of include/floe/value.h, produced from what other readers
// return, so their output can be compared with `floe parquet cat` byte for byte.
//
//   integers  every digit (BigInt, never through a double)
//   FLOAT     shortest decimal that round-trips through float32; DOUBLE: ECMAScript layout
//             ("1e+21", "1e-7"), "-0" kept, NaN / Infinity / -Infinity as strings
//   DECIMAL   string with exactly `scale` fraction digits
//   DATE "YYYY-MM-DD", TIME "HH:MM:SS.ffffff", TIMESTAMP "YYYY-MM-DDTHH:MM:SS.ffffff"
//             (9 fraction digits for nanoseconds, "+00:00" when adjusted to UTC)
//   BINARY/FIXED lowercase hex; UUID 8-4-4-4-12; STRUCT object; LIST array;
//   MAP [{"key":..,"value":..}] in file order
import { DuckDBTypeId } from '@duckdb/node-api';

/** Shortest decimal text that reads back as the float32 `v`, in ECMAScript layout. */
export function float32Text(v) {
  if (Number.isNaN(v)) return '"NaN"';
  if (v === Infinity) return '"Infinity"';
  if (v === -Infinity) return '"-Infinity"';
  if (v === 0) return Object.is(v, -0) ? '-0' : '0';
  const f = Math.fround(v);
  for (let p = 1; p <= 9; p++) {
    const s = f.toPrecision(p);
    if (Math.fround(Number(s)) === f) return String(Number(s));
  }
  return String(f);
}

/** ECMAScript Number.prototype.toString layout, with -0, NaN and the infinities as floe prints them. */
export function float64Text(v) {
  if (Number.isNaN(v)) return '"NaN"';
  if (v === Infinity) return '"Infinity"';
  if (v === -Infinity) return '"-Infinity"';
  if (Object.is(v, -0)) return '-0';
  return String(v);
}

/** Unscaled integer and scale to "-12.30". */
export function decimalText(unscaled, scale) {
  let u = BigInt(unscaled);
  const neg = u < 0n;
  if (neg) u = -u;
  let digits = u.toString();
  if (scale > 0) {
    digits = digits.padStart(scale + 1, '0');
    digits = `${digits.slice(0, digits.length - scale)}.${digits.slice(digits.length - scale)}`;
  }
  return JSON.stringify((neg ? '-' : '') + digits);
}

const pad = (n, w) => String(n).padStart(w, '0');

/** Days since 1970-01-01 to [year, month, day] (proleptic Gregorian). */
function civilFromDays(days) {
  let z = BigInt(days) + 719468n;
  const era = (z >= 0n ? z : z - 146096n) / 146097n;
  const doe = z - era * 146097n;
  const yoe = (doe - doe / 1460n + doe / 36524n - doe / 146096n) / 365n;
  const doy = doe - (365n * yoe + yoe / 4n - yoe / 100n);
  const mp = (5n * doy + 2n) / 153n;
  const d = doy - (153n * mp + 2n) / 5n + 1n;
  const m = mp < 10n ? mp + 3n : mp - 9n;
  const y = yoe + era * 400n + (m <= 2n ? 1n : 0n);
  return [y, Number(m), Number(d)];
}

function ymd(days) {
  const [y, m, d] = civilFromDays(days);
  const ys = y >= 0n && y <= 9999n ? pad(y, 4) : (y < 0n ? '-' : '+') + pad(y < 0n ? -y : y, 4);
  return `${ys}-${pad(m, 2)}-${pad(d, 2)}`;
}

const floorDiv = (a, b) => (a % b !== 0n && (a < 0n) !== (b < 0n) ? a / b - 1n : a / b);

/** "HH:MM:SS.ffffff" (or 9 digits) from units since midnight. */
function hms(v, perSec) {
  const secs = floorDiv(v, perSec);
  const frac = v - secs * perSec;
  const h = secs / 3600n, mi = (secs / 60n) % 60n, s = secs % 60n;
  const f = perSec === 1000000000n ? pad(frac, 9) : pad(perSec === 1000n ? frac * 1000n : frac, 6);
  return `${pad(h, 2)}:${pad(mi, 2)}:${pad(s, 2)}.${f}`;
}

export function dateText(days) {
  return JSON.stringify(ymd(days));
}

export function timeText(v, unit) {
  const per = { ms: 1000n, us: 1000000n, ns: 1000000000n }[unit];
  return JSON.stringify(hms(BigInt(v), per));
}

export function timestampText(v, unit, utc) {
  const per = { ms: 1000n, us: 1000000n, ns: 1000000000n }[unit];
  const t = BigInt(v);
  const days = floorDiv(t, per * 86400n);
  const rem = t - days * per * 86400n;
  return JSON.stringify(`${ymd(days)}T${hms(rem, per)}${utc ? '+00:00' : ''}`);
}

export function hexText(bytes) {
  return JSON.stringify(Buffer.from(bytes).toString('hex'));
}

/**
 * Canonical JSON of one DuckDB value of DuckDB type `type` (a DuckDBType from
 * result.columnType()). `hint` adjusts for what DuckDB's reader drops: { int96: true } formats
 * a TIMESTAMP read from INT96 with nanosecond digits, as floe keeps INT96's precision.
 */
export function duckText(v, type, hint = {}) {
  if (v === null || v === undefined) return 'null';
  switch (type.typeId) {
    case DuckDBTypeId.BOOLEAN:
      return v ? 'true' : 'false';
    case DuckDBTypeId.TINYINT:
    case DuckDBTypeId.SMALLINT:
    case DuckDBTypeId.INTEGER:
    case DuckDBTypeId.BIGINT:
    case DuckDBTypeId.UTINYINT:
    case DuckDBTypeId.USMALLINT:
    case DuckDBTypeId.UINTEGER:
    case DuckDBTypeId.UBIGINT:
    case DuckDBTypeId.HUGEINT:
    case DuckDBTypeId.UHUGEINT:
      return BigInt(v).toString();
    case DuckDBTypeId.FLOAT:
      return float32Text(v);
    case DuckDBTypeId.DOUBLE:
      return float64Text(v);
    case DuckDBTypeId.DECIMAL:
      return decimalText(v.value, type.scale);
    case DuckDBTypeId.DATE:
      return dateText(v.days);
    case DuckDBTypeId.TIME:
      return timeText(v.micros, 'us');
    case DuckDBTypeId.TIME_NS:
      return timeText(v.nanos, 'ns');
    case DuckDBTypeId.TIME_TZ: // Parquet stores the UTC time of day (TIME, adjusted to UTC)
      return timeText(((BigInt(v.micros) - BigInt(v.offset) * 1000000n) % 86400000000n + 86400000000n) % 86400000000n, 'us');
    case DuckDBTypeId.INTERVAL: { // Parquet's INTERVAL: months, days, milliseconds (u32 LE each)
      const b = Buffer.alloc(12);
      b.writeUInt32LE(v.months >>> 0, 0);
      b.writeUInt32LE(v.days >>> 0, 4);
      b.writeUInt32LE(Number(BigInt(v.micros) / 1000n) >>> 0, 8);
      return hexText(b);
    }
    case DuckDBTypeId.TIMESTAMP:
      if (hint.int96) return timestampText(BigInt(v.micros) * 1000n, 'ns', false);
      return timestampText(v.micros, 'us', false);
    case DuckDBTypeId.TIMESTAMP_TZ:
      return timestampText(v.micros, 'us', true);
    case DuckDBTypeId.TIMESTAMP_MS:
      return timestampText(v.millis, 'ms', false);
    case DuckDBTypeId.TIMESTAMP_S:
      return timestampText(BigInt(v.seconds) * 1000n, 'ms', false);
    case DuckDBTypeId.TIMESTAMP_NS:
      return timestampText(v.nanos, 'ns', false);
    case DuckDBTypeId.VARCHAR:
    case DuckDBTypeId.ENUM:
      return JSON.stringify(String(v));
    case DuckDBTypeId.BLOB:
      return hexText(v.bytes);
    case DuckDBTypeId.UUID:
      return JSON.stringify(String(v).toLowerCase());
    case DuckDBTypeId.LIST:
    case DuckDBTypeId.ARRAY:
      return `[${v.items.map((x) => duckText(x, type.valueType, hint.element ?? {})).join(',')}]`;
    case DuckDBTypeId.STRUCT:
      return `{${type.entryNames
        .map((n, i) => `${JSON.stringify(n)}:${duckText(v.entries[n], type.entryTypes[i], hint[n] ?? {})}`)
        .join(',')}}`;
    case DuckDBTypeId.MAP:
      return `[${v.entries
        .map((e) => `{"key":${duckText(e.key, type.keyType)},"value":${duckText(e.value, type.valueType)}}`)
        .join(',')}]`;
    default:
      throw new Error(`no canonical form for DuckDB type ${type.toString()}`);
  }
}

/** Canonical JSON lines of a DuckDB result (every column, in order). */
export async function duckRows(conn, sql, hints = {}) {
  const r = await conn.runAndReadAll(sql);
  const names = r.columnNames();
  const types = names.map((_, i) => r.columnType(i));
  return r.getRows().map(
    (row) => `{${names.map((n, i) => `${JSON.stringify(n)}:${duckText(row[i], types[i], hints[n] ?? {})}`).join(',')}}`,
  );
}
