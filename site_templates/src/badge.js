// The badge in the header (#connection): the live connection's state, or which archived day or
// report the page shows. data-connection carries the state, the text says it in the page's language.
import { fill } from './i18n.js';

/** The badge text for `state` ('connected', 'disconnected', 'polling', 'snapshot' or 'report'). */
export function badgeText(state, { t, pollMs, snapshot }) {
  switch (state) {
    case 'connected': return t.connected;
    case 'disconnected': return t.disconnected;
    case 'polling': return fill(t.polling, { s: Math.round(pollMs / 1000) });
    case 'snapshot': return fill(t.snapshotBadge, { date: snapshot });
    case 'report': return fill(t.reportBadge, { date: snapshot || '' }).trim();
    default: return state;
  }
}

export function showBadge(badge, state, context) {
  badge.dataset.connection = state;
  badge.textContent = badgeText(state, context);
}
