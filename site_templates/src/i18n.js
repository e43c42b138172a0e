// Every text the page itself shows, in Swedish and English (site_templates/page.json, which the
// generator reads too). Chart titles and series names come already translated inside the chart options.
import PAGE from '../page.json' with { type: 'json' };

const STRINGS = PAGE.strings;

export const LANGUAGES = Object.keys(STRINGS);

/** The dictionary for `lang`, falling back to Swedish (the project's default language). */
export function dictionary(lang) {
  return STRINGS[lang] || STRINGS.sv;
}

/** Fills {name} placeholders: fill('Updated {time}', {time: '12:00'}). */
export function fill(template, values) {
  return template.replace(/\{(\w+)\}/g, (whole, key) => (key in values ? String(values[key]) : whole));
}

/**
 * A problem from public/ ({code, params, text}, docs/public-format.md) in the page's own words; its
 * English text for a code the page does not know (and a format-1 plain text as it is).
 */
export function problemText(problem, t, fmt = null) {
  if (!problem) return '';
  if (typeof problem === 'string') return problem;
  const template = t.problems?.[problem.code];
  if (!template) return String(problem.text || problem.code || '');
  const params = { ...(problem.params || {}) };
  if (fmt && typeof params.first === 'string') params.first = fmt.dateTime(params.first);  // site time zone
  return fill(template, params);
}
