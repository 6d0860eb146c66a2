// The return portal's page: the wasm package in proxied mode (no credentials here; the backend
// adds them), the core's validation before anything is sent, a tracking grant for the timeline.
import { Client, validate, NarvarError, type FieldError, type OrderInfo, type TrackingGrant } from 'narvar-wasm';

const REASONS: Record<string, string> = {
  DAMAGED: 'Arrived damaged', WRONG_SIZE: 'Wrong size', NOT_AS_DESCRIBED: 'Not as described', CHANGED_MIND: 'Changed my mind',
};

const $ = <T extends HTMLElement>(selector: string): T => {
  const found = document.querySelector<T>(selector);
  if (!found) throw new Error(`the page has no ${selector}`);
  return found;
};

let client: Client | null = null;
let order: OrderInfo | null = null;

$('#lookup').addEventListener('submit', async (event) => {
  event.preventDefault();
  const orderNumber = $<HTMLInputElement>('#order-number').value.trim();
  const emailOrZip = $<HTMLInputElement>('#email-or-zip').value.trim();
  $('#lookup-error').textContent = '';
  const answer = await fetch('/portal/lookup', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ order_number: orderNumber, ...(emailOrZip.includes('@') ? { email: emailOrZip } : { zip: emailOrZip }) }),
  });
  const reply = (await answer.json()) as { grant?: TrackingGrant; message?: string };
  if (!answer.ok || !reply.grant) {
    $('#lookup-error').textContent = reply.message ?? 'No order matches.';
    return;
  }
  client = new Client({ baseUrl: `${location.origin}/narvar`, proxied: true, trackingGrants: [reply.grant] });
  try {
    order = await client.orders.get(orderNumber);
  } catch (e) {
    $('#lookup-error').textContent = e instanceof NarvarError ? e.message : String(e);
    return;
  }
  showItems(order);
});

function showItems(o: OrderInfo): void {
  $('#shown-order').textContent = o.order_number ?? '';
  $('#items').replaceChildren(...(o.order_items ?? []).map((item, i) => {
    const row = document.createElement('tr');
    row.dataset.sku = item.sku ?? '';
    const options = Object.entries(REASONS).map(([code, text]) => `<option value="${code}">${text}</option>`).join('');
    row.innerHTML = `<td><input type="checkbox" class="pick" aria-label="Return ${item.sku}"></td>
      <td>${escape(item.name ?? item.sku ?? '')}</td>
      <td><input type="number" class="qty" value="1" min="0" max="${Number(item.quantity ?? 1)}"><p class="error" data-path=""></p></td>
      <td><select class="reason">${options}</select><p class="error" data-path=""></p></td>`;
    row.querySelectorAll<HTMLElement>('.error')[0].dataset.path = `order_items[${i}].quantity`;
    row.querySelectorAll<HTMLElement>('.error')[1].dataset.path = `order_items[${i}].return_reason_code`;
    return row;
  }));
  $('#lookup').hidden = true;
  $('#return-form').hidden = false;
}

/** The return the form describes, as `returns.create` takes it. */
function returnInput(o: OrderInfo): Record<string, unknown> {
  const rows = [...document.querySelectorAll<HTMLTableRowElement>('#items tr')].filter((r) => r.querySelector<HTMLInputElement>('.pick')?.checked);
  const email = $<HTMLInputElement>('#email').value.trim();
  return {
    order_number: o.order_number,
    billing_zip: o.shipments?.[0]?.shipped_to?.address?.zip ?? undefined,
    ...(email ? { email } : {}),
    order_items: rows.map((r) => ({
      sku: r.dataset.sku,
      quantity: Number(r.querySelector<HTMLInputElement>('.qty')?.value),
      return_reason_code: r.querySelector<HTMLSelectElement>('.reason')?.value,
    })),
  };
}

/** Shows each field's error beside it; the paths are the core's, relative to the picked rows. */
function showErrors(errors: FieldError[], picked: string[]): void {
  document.querySelectorAll<HTMLElement>('.error[data-path]').forEach((el) => (el.textContent = ''));
  const rows = [...document.querySelectorAll<HTMLTableRowElement>('#items tr')];
  const unplaced: string[] = [];
  for (const e of errors) {
    // `order_items[k]` counts picked rows: point at the row it means.
    const path = e.path.replace(/^order_items\[(\d+)\]/, (_, k: string) => `order_items[${rows.findIndex((r) => r.dataset.sku === picked[Number(k)])}]`);
    const el = document.querySelector<HTMLElement>(`.error[data-path="${CSS.escape(path)}"]`);
    if (el) el.textContent = e.message;
    else unplaced.push(`${e.path}: ${e.message}`);
  }
  $('#form-error').textContent = unplaced.join('; ') || (errors.length ? 'Please correct the fields above.' : '');
}

$('#return-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  if (!client || !order) return;
  const input = returnInput(order);
  const picked = (input.order_items as Array<{ sku: string }>).map((i) => i.sku);
  if (!picked.length) {
    $('#form-error').textContent = 'Pick at least one item to return.';
    return;
  }
  const errors = validate('returns.create', input);
  showErrors(errors, picked);
  if (errors.length) return; // nothing is sent
  try {
    const created = await client.returns.create(input as never);
    $('#rrn').textContent = created.return_reference_number ?? '';
    const label = created.return_methods?.find((m) => m.label_url)?.label_url;
    if (label) $<HTMLAnchorElement>('#label-link').href = label;
    $('#return-form').hidden = true;
    $('#result').hidden = false;
    const journey = await client.journey(order.order_number ?? '');
    $('#timeline').replaceChildren(...journey.entries.map((entry) => {
      const li = document.createElement('li');
      li.textContent = entry.description;
      const when = document.createElement('time');
      when.dateTime = entry.at ?? '';
      when.textContent = entry.at ? new Date(entry.at).toLocaleString('en-US', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' }) + ' UTC' : '';
      li.append(when);
      return li;
    }));
  } catch (e) {
    if (e instanceof NarvarError && e.fieldErrors.length) showErrors(e.fieldErrors, picked);
    else $('#form-error').textContent = e instanceof NarvarError ? `${e.message} (${e.code})` : String(e);
  }
});

function escape(text: string): string {
  const div = document.createElement('div');
  div.textContent = text;
  return div.innerHTML;
}
