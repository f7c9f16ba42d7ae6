// Colours of the shared tones, and the state badge, as the terminal draws them.
import { Text } from 'ink';
import type { ReactElement } from 'react';
import type { Tone } from '../../../views/index.ts';

/** Terminal colour of a tone. */
export function toneColor(tone: Tone): string {
  switch (tone) {
    case 'ok':
      return 'green';
    case 'warn':
      return 'yellow';
    case 'error':
      return 'red';
    case 'muted':
      return 'gray';
  }
}

/** A state or health word in its tone's colour. */
export function Badge({ tone, text }: { tone: Tone; text: string }): ReactElement {
  return (
    <Text color={toneColor(tone)} bold>
      {text}
    </Text>
  );
}
