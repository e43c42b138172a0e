// Light or dark: follows the system until the viewer picks one, which is remembered.
const STORAGE_KEY = 'heatpump-dashboard.theme';
const media = window.matchMedia('(prefers-color-scheme: dark)');

function stored() {
  try {
    const value = localStorage.getItem(STORAGE_KEY);
    return value === 'dark' || value === 'light' ? value : null;
  } catch {
    return null;  // storage disabled: follow the system
  }
}

export function currentTheme() {
  return stored() || (media.matches ? 'dark' : 'light');
}

export function applyTheme(theme) {
  document.documentElement.dataset.theme = theme;
}

/** Remembers the viewer's choice and applies it. */
export function chooseTheme(theme) {
  try {
    localStorage.setItem(STORAGE_KEY, theme);
  } catch {
    // not remembered, but still applied
  }
  applyTheme(theme);
}

/** Calls back when the system scheme changes while the viewer has not picked one. */
export function onSystemThemeChange(callback) {
  media.addEventListener('change', () => {
    if (!stored()) {
      applyTheme(currentTheme());
      callback(currentTheme());
    }
  });
}
