/** `950 ms`, `12.3 s`, `4m 05s`, `3h 12m`, `2d 04h`: the two largest units that matter to an operator. */
export function formatDuration(milliseconds: number): string {
  const ms = Math.max(0, Math.round(milliseconds));
  if (ms < 1_000) return `${ms} ms`;
  if (ms < 60_000) return `${(ms / 1_000).toFixed(1)} s`;
  const totalSeconds = Math.floor(ms / 1_000);
  const seconds = totalSeconds % 60;
  const totalMinutes = Math.floor(totalSeconds / 60);
  if (totalMinutes < 60) return `${totalMinutes}m ${pad(seconds)}s`;
  const minutes = totalMinutes % 60;
  const totalHours = Math.floor(totalMinutes / 60);
  if (totalHours < 24) return `${totalHours}h ${pad(minutes)}m`;
  return `${Math.floor(totalHours / 24)}d ${pad(totalHours % 24)}h`;
}

function pad(value: number): string {
  return String(value).padStart(2, '0');
}
