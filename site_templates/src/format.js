// Numbers, dates and ages in the page's language and the site's time zone (sv-SE gives a decimal
// comma and 24-hour times; English uses en-GB for the same day-month order and clock).
const LOCALES = { sv: 'sv-SE', en: 'en-GB' };

export function createFormat(lang, timeZone) {
  const locale = LOCALES[lang] || LOCALES.sv;
  const numberCache = new Map();
  const numberFormat = (minDigits, maxDigits = minDigits) => {
    const key = `${minDigits}:${maxDigits}`;
    if (!numberCache.has(key)) {
      numberCache.set(key, new Intl.NumberFormat(locale, {
        minimumFractionDigits: minDigits, maximumFractionDigits: maxDigits,
      }));
    }
    return numberCache.get(key);
  };
  const dateTimeFormat = (options) => new Intl.DateTimeFormat(locale, { timeZone, ...options });
  const time = dateTimeFormat({ hour: '2-digit', minute: '2-digit' });
  const timeSeconds = dateTimeFormat({ hour: '2-digit', minute: '2-digit', second: '2-digit' });
  const dayTime = dateTimeFormat({ day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' });
  const weekdayDay = dateTimeFormat({ weekday: 'short', day: 'numeric' });
  const month = dateTimeFormat({ month: 'short' });
  const partsFormat = new Intl.DateTimeFormat('en-US', {
    timeZone, year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', hourCycle: 'h23',
  });
  const localParts = (d) => {
    const out = {};
    for (const part of partsFormat.formatToParts(d)) if (part.type !== 'literal') out[part.type] = Number(part.value);
    return out;
  };
  const day = dateTimeFormat({ day: 'numeric', month: 'short' });
  const fullDate = dateTimeFormat({ year: 'numeric', month: 'short', day: 'numeric' });
  const isoDay = new Intl.DateTimeFormat('sv-SE', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
  const isoTime = new Intl.DateTimeFormat('sv-SE', {
    timeZone, hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23',
  });
  const unit = (name, value) => new Intl.NumberFormat(locale, {
    style: 'unit', unit: name, unitDisplay: 'long', maximumFractionDigits: 0,
  }).format(value);

  const toDate = (value) => (value instanceof Date ? value : new Date(value));
  const valid = (value) => value !== null && value !== undefined && !Number.isNaN(toDate(value).getTime());

  return {
    locale,
    timeZone,
    /** A number with a fixed count of decimals, or '–' when missing. */
    number(value, digits = 1) {
      return typeof value === 'number' && Number.isFinite(value) ? numberFormat(digits).format(value) : '–';
    },
    /** A number with as many decimals as it deserves (values of unknown scale): 1,8 · 20,9 · 1 234. */
    auto(value) {
      if (typeof value !== 'number' || !Number.isFinite(value)) return '–';
      const size = Math.abs(value);
      return numberFormat(0, size >= 100 ? 0 : size >= 10 ? 1 : 2).format(value);
    },
    time(value) { return valid(value) ? time.format(toDate(value)) : '–'; },
    timeSeconds(value) { return valid(value) ? timeSeconds.format(toDate(value)) : '–'; },
    dateTime(value) { return valid(value) ? dayTime.format(toDate(value)) : '–'; },
    date(value) { return valid(value) ? fullDate.format(toDate(value)) : '–'; },
    /** "2026-11-26 14:05:00" in the site's zone, for CSV files (sortable, spreadsheet-friendly). */
    isoLocal(value) {
      const d = toDate(value);
      return `${isoDay.format(d)} ${isoTime.format(d)}`;
    },
    /** Axis tick label suited to the visible span (ms): clock times, with the day at local midnight. */
    axisTime(value, spanMs) {
      if (!valid(value)) return '';
      const d = toDate(value);
      const parts = localParts(d);
      const midnight = parts.hour === 0 && parts.minute === 0;
      if (spanMs <= 8 * 86400e3) {
        if (!midnight) return time.format(d);
        return spanMs <= 36 * 3600e3 ? day.format(d) : weekdayDay.format(d);
      }
      if (spanMs <= 62 * 86400e3 || parts.day !== 1) return day.format(d);
      return parts.month === 1 ? String(parts.year) : month.format(d);
    },
    /** Tooltip heading: the full point in time. */
    tooltipTime(value, spanMs) {
      if (!valid(value)) return '';
      return spanMs > 40 * 86400e3 ? fullDate.format(toDate(value)) : dayTime.format(toDate(value));
    },
    /** A duration in words: "12 minuter", "3 hours", "2 days". */
    age(seconds) {
      const s = Math.max(0, seconds);
      if (s < 90) return unit('second', Math.round(s));
      if (s < 90 * 60) return unit('minute', Math.round(s / 60));
      if (s < 36 * 3600) return unit('hour', Math.round(s / 3600));
      return unit('day', Math.round(s / 86400));
    },
  };
}
