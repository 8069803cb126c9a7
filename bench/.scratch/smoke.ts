import { startLocalStack } from '/work/main/test/local/support/local-stack';
(async () => {
  const t0 = performance.now();
  const stack = await startLocalStack({ basePort: 19800, timeScale: 0.1 });
  console.log('started', performance.now() - t0, stack.resources);
  const body = JSON.stringify({ customerEmail: 'a@example.com', currency: 'USD', items: [{ sku: 'A', quantity: 1, price: 10 }] });
  for (let i = 0; i < 5; i++) {
    const s = performance.now();
    const r = await fetch(stack.apiUrl + '/orders', { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    console.log(r.status, await r.text(), performance.now() - s);
  }
  await new Promise((r) => setTimeout(r, 3000));
  console.log(stack.runtime().output.slice(-30).join('\n'));
  await stack.stop();
})();
