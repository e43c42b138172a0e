// "Latest request wins": when requests overlap (the viewer clicks another range while a file is still
// on its way, a newer manifest arrives), only the newest one's answer may be used.

export function latestWins() {
  let newest = 0;
  return {
    /** Starts a request; the function returned tells whether it is still the newest one. */
    start() {
      const id = ++newest;
      return () => id === newest;
    },

    /** Makes whatever is on its way outdated (the answer is no longer wanted). */
    cancel() {
      newest += 1;
    },

    /**
     * Runs `task()` as the newest request: {current, ok, value} when it resolved, {current, ok, error}
     * when it threw; `current` is false when a newer request started (or cancel() came) meanwhile.
     */
    async run(task) {
      const isNewest = this.start();
      try {
        const value = await task();
        return { current: isNewest(), ok: true, value };
      } catch (error) {
        return { current: isNewest(), ok: false, error };
      }
    },
  };
}
