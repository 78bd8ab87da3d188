import { Box, Text, Tooltip } from '@mantine/core';

export interface Bar {
  label: string;
  value: number;
}

const HEIGHT = 120;

/**
 * Bars for one series, drawn as SVG (a chart library would triple the
 * page's bundle). Each bar has a tooltip; screen readers get the summary
 * and the table beside the chart.
 */
export function BarChart({
  bars,
  title,
  format,
}: {
  bars: Bar[];
  title: string;
  format: (n: number) => string;
}) {
  const max = Math.max(1, ...bars.map((bar) => bar.value));
  const width = Math.max(bars.length, 1);
  const total = bars.reduce((sum, bar) => sum + bar.value, 0);
  return (
    <Box>
      <svg
        role="img"
        aria-label={`${title}: ${format(total)} in ${bars.length} buckets, highest ${format(max)}`}
        viewBox={`0 0 ${width} ${HEIGHT}`}
        preserveAspectRatio="none"
        width="100%"
        height={HEIGHT}
        style={{ display: 'block', background: 'var(--mantine-color-default-hover)', borderRadius: 4 }}
      >
        {bars.map((bar, i) =>
          bar.value ? (
            <Tooltip key={bar.label} label={`${bar.label}: ${format(bar.value)}`} withinPortal>
              <rect
                x={i + 0.1}
                width={0.8}
                y={HEIGHT - (bar.value / max) * (HEIGHT - 4)}
                height={(bar.value / max) * (HEIGHT - 4)}
                fill="var(--mantine-primary-color-filled)"
              />
            </Tooltip>
          ) : null,
        )}
      </svg>
      <Text size="xs" c="dimmed" mt={4}>
        {bars[0]?.label} – {bars[bars.length - 1]?.label}
      </Text>
    </Box>
  );
}
