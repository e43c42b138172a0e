// The header controls: the range buttons, the archive picker, the CSV button and the theme toggle.
// They only say what the viewer asked for (callbacks); the page decides what that means.
import { element } from './dom.js';
import { rangeLabel } from './keys.js';
import { chooseTheme, currentTheme } from './theme.js';

export class Controls {
  /**
   * onRange(key), onSnapshot(date or null for live), onCsv() and onTheme(theme) are called when the
   * viewer uses a control; a report (one day) gets no archive picker.
   */
  constructor(container, { t, fmt, ranges, report, onRange, onSnapshot, onCsv, onTheme }) {
    Object.assign(this, { t, fmt, report, onRange });
    this.group = element('div', 'segmented');
    this.group.setAttribute('role', 'group');
    this.group.setAttribute('aria-label', t.range);
    this.rangeButtons = new Map();
    this.setRanges(ranges);

    this.archiveSelect = element('select', 'archive-select');
    this.archiveSelect.setAttribute('aria-label', t.archive);
    this.archiveSelect.dataset.archive = '';
    this.archiveSelect.addEventListener('change', () => onSnapshot(this.archiveSelect.value || null));

    this.csvButton = element('button', 'small-button', 'CSV');
    this.csvButton.type = 'button';
    this.csvButton.dataset.downloadCsv = '';
    this.csvButton.title = t.downloadCsv;
    this.csvButton.setAttribute('aria-label', t.downloadCsv);
    this.csvButton.addEventListener('click', () => onCsv());

    this.themeButton = element('button', 'small-button theme-button');
    this.themeButton.type = 'button';
    this.themeButton.dataset.themeToggle = '';
    this.themeButton.addEventListener('click', () => {
      const next = currentTheme() === 'dark' ? 'light' : 'dark';
      chooseTheme(next);
      onTheme(next);
    });
    this.showTheme(currentTheme());

    // A report holds one day: the archive picker would offer nothing else.
    const picker = report ? [] : [this.archiveSelect];
    container.prepend(this.group, ...picker, this.csvButton, this.themeButton);
  }

  /** A button for each of `keys` that has none yet (ranges the data brings are added at the end). */
  setRanges(keys) {
    for (const key of keys) {
      if (this.rangeButtons.has(key)) continue;
      const button = element('button', 'segment', rangeLabel(key, this.t));
      button.type = 'button';
      button.dataset.range = key;
      button.addEventListener('click', () => this.onRange(key));
      this.group.append(button);
      this.rangeButtons.set(key, button);
    }
  }

  /** Presses the shown range's button and greys out those the manifest has no file for. */
  markRange(range, manifest) {
    for (const [key, button] of this.rangeButtons) {
      const available = !manifest || Boolean(manifest.ranges?.[key]);
      button.setAttribute('aria-pressed', String(key === range));
      button.classList.toggle('unavailable', !available);
    }
  }

  /** The archive picker: "Live", then the archived days newest first, with `selected` chosen. */
  fillArchive(snapshots, selected) {
    const { t } = this;
    const options = this.report ? [] : [new Option(t.archiveLive, '')];
    for (const snapshot of [...(snapshots || [])].sort((a, b) => (a.date < b.date ? 1 : -1))) {
      options.push(new Option(this.fmt.date(`${snapshot.date}T12:00:00Z`), snapshot.date));
    }
    if (selected && !options.some((o) => o.value === selected)) options.push(new Option(selected, selected));
    this.archiveSelect.replaceChildren(...options);
    this.archiveSelect.value = selected || '';
    this.archiveSelect.title = options.length > 1 ? t.archive : t.archiveNone;
  }

  showTheme(theme) {
    const dark = theme === 'dark';
    this.themeButton.textContent = dark ? '☀' : '☾';
    this.themeButton.title = dark ? this.t.themeToLight : this.t.themeToDark;
    this.themeButton.setAttribute('aria-label', this.themeButton.title);
    this.themeButton.setAttribute('aria-pressed', String(dark));
  }
}
