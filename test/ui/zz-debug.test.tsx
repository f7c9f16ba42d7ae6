import { test } from 'node:test';
import { render } from 'ink-testing-library';
import { Text, useInput } from 'ink';
import { useEffect, useState } from 'react';
function A() { const [k, setK] = useState('none'); const [n, setN] = useState(0);
  useEffect(() => { const t = setInterval(() => setN((x) => x + 1), 50); return () => clearInterval(t); }, []);
  useInput((i) => setK(i)); return <Text>key:{k} {n}</Text>; }
test('x', async () => {
  const app = render(<A />);
  await new Promise((r) => setTimeout(r, 300));
  app.stdin.write('d');
  await new Promise((r) => setTimeout(r, 300));
  console.log(app.lastFrame());
  app.unmount();
});
