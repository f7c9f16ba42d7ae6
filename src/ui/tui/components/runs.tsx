// The runs view of the terminal UI (key R; web: /status/runs): the runs list with state,
// health (coloured), step, last heartbeat and a sparkline, and the selected run's detail with a
// wider sparkline of one metric, its params, metrics, and, when the registry answered, its
// last transitions and commands. p, r, t and u send pause, resume, terminate and tune.
import { Box, Text } from 'ink';
import type { ReactElement } from 'react';
import { sparkline } from '../../../views/index.ts';
import type { RunDetail, RunRow } from '../../../views/index.ts';
import { Pane } from './pane.tsx';
import { Badge, toneColor } from './tone.tsx';

function cell(text: string, width: number): string {
  return text.length >= width ? `${text.slice(0, width - 2)}… ` : text.padEnd(width);
}

/** Props of the runs list. */
export interface RunsListProps {
  rows: RunRow[];
  selected: string | null;
  /** Rows of the pane, borders included. */
  height: number;
}

/** The runs list, scrolled to keep the selected run on screen. */
export function RunsList({ rows, selected, height }: RunsListProps): ReactElement {
  const fit = Math.max(1, height - 4);
  const at = Math.max(0, rows.findIndex((r) => r.id === selected));
  const first = Math.min(Math.max(0, at - fit + 1), Math.max(0, rows.length - fit));
  return (
    <Pane height={height} color="cyan">
      <Text bold wrap="truncate-end">
        Runs <Text color="gray">{`(${rows.length} · R closes · j/k select)`}</Text>
      </Text>
      <Text color="gray" wrap="truncate-end">{`  ${cell('RUN', 21)}${cell('EXPERIMENT', 12)}${cell('STATE', 11)}${cell('HEALTH', 8)}${cell('STEP', 6)}${cell('BEAT', 6)}METRIC`}</Text>
      {rows.length === 0 ? <Text color="gray">  No runs yet.</Text> : null}
      {rows.slice(first, first + fit).map((r) => {
        const mark = r.id === selected;
        return (
          <Text key={r.id} inverse={mark} wrap="truncate-end">
            {mark ? '› ' : '  '}
            {/* Generated ids (r-<time>-<random>) are 19 characters: the column keeps them whole. */}
            <Text bold>{cell(r.id, 21)}</Text>
            {cell(r.experiment, 12)}
            <Text color={toneColor(r.stateTone)}>{cell(r.state, 11)}</Text>
            <Text color={toneColor(r.healthTone)}>{cell(r.health, 8)}</Text>
            {cell(String(r.step), 6)}
            {cell(r.heartbeat.replace(' ago', ''), 6)}
            {r.metric === null ? '-' : `${r.sparkline.slice(-5)} ${r.metricValue}`}
          </Text>
        );
      })}
    </Pane>
  );
}

/** Props of the run detail. */
export interface RunDetailPaneProps {
  detail: RunDetail | null;
  height: number;
  /** Columns of the pane, for the sparkline's width. */
  width: number;
}

/** The selected run's detail, cut to its height: the most useful lines first. */
export function RunDetailPane({ detail, height, width }: RunDetailPaneProps): ReactElement {
  if (detail === null) {
    return (
      <Pane height={height}>
        <Text color="gray">No run selected.</Text>
      </Pane>
    );
  }
  const f = Object.fromEntries(detail.fields.map((x) => [x.label, x.value]));
  const chart = detail.chart;
  const lines: string[] = [
    `step ${f.Step} · ckpt ${f.Checkpoint} · heartbeat ${f.Heartbeat} · pending ${f.Pending}`,
    `status ${f.Status} · ${f.Binding === '-' ? 'no service instance bound' : f.Binding}`,
    ...(chart === null ? ['no metrics yet'] : [`${chart.metric} ${sparkline(chart.values, Math.max(8, width - 30))} ${chart.min}…${chart.max}`]),
    `params  ${detail.params.map((p) => `${p.label}=${p.value}`).join(' ') || '-'}`,
    `metrics ${detail.metrics.map((m) => `${m.label}=${m.value}`).join(' ') || '-'}`,
    ...(f.Error === undefined ? [] : [`error ${f.Error}`]),
    ...detail.transitions.map((t) => `· ${t}`),
    ...detail.commands.map((c) => `» ${c}`),
  ];
  return (
    <Pane height={height}>
      <Box>
        <Text bold wrap="truncate-end">
          {`${detail.title} `}
          <Badge tone={detail.stateTone} text={detail.state} /> <Badge tone={detail.healthTone} text={detail.health} />
        </Text>
      </Box>
      {lines.slice(0, Math.max(0, height - 3)).map((line, i) => (
        <Text key={i} wrap="truncate-end" color={line.startsWith('·') || line.startsWith('»') ? 'gray' : undefined}>
          {line}
        </Text>
      ))}
    </Pane>
  );
}
