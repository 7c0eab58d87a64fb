/**
 * How a change of runtime reads, the same in the webhook, compare and the
 * dashboard: the runtime part of each mode id, without the implementation.
 *
 * @example
 * formatRuntimeChange({ from: 'cpython-3.13.5t/nogil', to: 'cpython-3.13.15t/nogil' }) === 'runtime 3.13.5t → 3.13.15t'
 * formatRuntimeChange({ from: 'cpython-3.13.5/gil', to: 'cpython-3.13.5-release/gil' }) === 'runtime 3.13.5 → 3.13.5-release'
 */
export function formatRuntimeChange(change: { from: string; to: string }): string {
  return `runtime ${runtimeOf(change.from)} → ${runtimeOf(change.to)}`;
}

/** `cpython-3.13.5t/nogil` → `3.13.5t`: a mode id's runtime, its implementation left out when it is CPython. */
function runtimeOf(modeId: string): string {
  const runtime = modeId.split('/')[0] ?? modeId;
  return runtime.startsWith('cpython-') ? runtime.slice('cpython-'.length) : runtime;
}
