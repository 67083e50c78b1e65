import { api, newIdempotencyKey } from '../api.js';
import { announce, busy, field, h, pageHeading, showError } from '../ui.js';

const FORMATS = [
  ['', 'Keep the original format'],
  ['webp', 'WebP'],
  ['png', 'PNG'],
  ['jpeg', 'JPEG'],
  ['avif', 'AVIF'],
];

export function renderSubmit(main) {
  const imagePanel = imageForm();
  const jsonPanel = jsonForm();
  const choose = (kind) => {
    imagePanel.hidden = kind !== 'image';
    jsonPanel.hidden = kind !== 'json';
  };
  const radio = (value, label, checked) =>
    h('label', { class: 'choice' }, h('input', { type: 'radio', name: 'kind', value, checked, onchange: () => choose(value) }), ` ${label}`);
  main.append(
    pageHeading('Submit a job'),
    h('fieldset', { class: 'kind' }, h('legend', { text: 'Kind of job' }), radio('image', 'Image (upload)', true), radio('json', 'JSON input', false)),
    imagePanel,
    jsonPanel,
  );
  choose('image');
}

function imageForm() {
  const file = h('input', { type: 'file', name: 'file', accept: 'image/png,image/jpeg,image/webp,image/gif,image/avif,image/tiff', required: true });
  const preview = h('img', { class: 'preview', alt: 'Preview of the selected image', hidden: true });
  let previewUrl = null;
  file.addEventListener('change', () => {
    if (previewUrl) URL.revokeObjectURL(previewUrl);
    const chosen = file.files?.[0];
    previewUrl = chosen ? URL.createObjectURL(chosen) : null;
    preview.hidden = !previewUrl;
    if (previewUrl) preview.src = previewUrl;
  });
  const thumbnail = h('input', { type: 'checkbox', name: 'thumbnail', checked: true });
  const size = h('input', { type: 'number', name: 'size', min: '1', max: '8192', value: '256', required: true });
  const grayscale = h('input', { type: 'checkbox', name: 'grayscale' });
  const format = h('select', { name: 'format' }, FORMATS.map(([value, label]) => h('option', { value, text: label })));
  const webhookUrl = h('input', { type: 'url', name: 'webhookUrl', placeholder: 'https://example.com/hooks/conveyor' });
  const submit = h('button', { type: 'submit', text: 'Submit job' });

  const form = h(
    'form',
    {
      'aria-label': 'Submit an image job',
      onsubmit: (event) => {
        event.preventDefault();
        const chosen = file.files?.[0];
        if (!chosen) return showError(new Error('Choose an image to upload.'));
        const operations = [];
        if (thumbnail.checked) operations.push({ op: 'thumbnail', size: Number(size.value) });
        if (grayscale.checked) operations.push({ op: 'grayscale' });
        if (format.value) operations.push({ op: 'format', format: format.value });
        if (operations.length === 0) return showError(new Error('Choose at least one operation.'));
        const body = new FormData();
        body.append('type', 'image.transform');
        body.append('input', JSON.stringify({ operations }));
        if (webhookUrl.value.trim()) body.append('webhookUrl', webhookUrl.value.trim());
        body.append('file', chosen, chosen.name);
        return busy(submit, () => send({ form: body }));
      },
    },
    field('Image file', file, 'PNG, JPEG, WebP, GIF, AVIF or TIFF.'),
    preview,
    h(
      'fieldset',
      {},
      h('legend', { text: 'Operations, in this order' }),
      h('div', { class: 'inline' }, thumbnail, h('label', { for: (thumbnail.id = 'op-thumbnail'), text: 'Make a thumbnail' })),
      field('Thumbnail size (pixels)', size),
      h('div', { class: 'inline' }, grayscale, h('label', { for: (grayscale.id = 'op-grayscale'), text: 'Grayscale' })),
      field('Output format', format),
    ),
    field('Webhook URL (optional)', webhookUrl, "Also signed with your account's default secret. Endpoints on the Webhooks page get every job's events."),
    submit,
  );
  return h('section', { 'aria-label': 'Image job' }, form);
}

const EXAMPLES = {
  echo: { hello: 'world', delayMs: 500 },
  'vendor.call': { vendor: 'acme', payload: { text: 'hello' } },
};

function jsonForm() {
  const type = h('select', { name: 'type' }, Object.keys(EXAMPLES).map((t) => h('option', { value: t, text: t })));
  const input = h('textarea', { name: 'input', rows: '8', spellcheck: 'false', required: true });
  input.value = JSON.stringify(EXAMPLES.echo, null, 2);
  type.addEventListener('change', () => (input.value = JSON.stringify(EXAMPLES[type.value], null, 2)));
  const submit = h('button', { type: 'submit', text: 'Submit job' });
  const form = h(
    'form',
    {
      'aria-label': 'Submit a JSON job',
      onsubmit: (event) => {
        event.preventDefault();
        let parsed;
        try {
          parsed = JSON.parse(input.value);
        } catch (error) {
          return showError(new Error(`The input is not JSON: ${error.message}`));
        }
        return busy(submit, () => send({ json: { type: type.value, input: parsed } }));
      },
    },
    field('Job type', type),
    field('Input (JSON)', input, 'An object; each job type checks its own fields.'),
    submit,
  );
  return h('section', { 'aria-label': 'JSON job' }, form);
}

async function send(body) {
  const job = await api('/jobs', { method: 'POST', ...body, headers: { 'idempotency-key': newIdempotencyKey() } });
  announce(`Job ${job.id} submitted. Its status updates live below.`);
  location.hash = '#/jobs';
}
