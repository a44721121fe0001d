/**
 * A loading placeholder in the shape of a page: an announced status for screen readers and pulsing
 * blocks (one Tailwind size per block) for everyone else.
 */
export function PageSkeleton({ label, blocks }: { label: string; blocks: string[] }) {
  return (
    <div className="space-y-6" aria-busy="true">
      <p role="status" className="sr-only">
        {label}
      </p>
      <div aria-hidden="true" className="space-y-6">
        {blocks.map((size, index) => (
          // The blocks never reorder, so their position is a stable key.
          // biome-ignore lint/suspicious/noArrayIndexKey: static list
          <div key={index} className={`animate-pulse rounded-xl bg-slate-200/70 ${size}`} />
        ))}
      </div>
    </div>
  );
}
