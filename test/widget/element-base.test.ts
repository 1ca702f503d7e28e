import { expect } from '@open-wc/testing';
import { html } from 'lit/html.js';

import { ElementBase, type PropertyDeclarations, type PropertyValues } from '../../widget/element-base.js';

let count = 0;
/** A fresh tag for each test: a custom element name can be defined once per page. */
const tag = () => `base-test-${(count += 1)}`;

class Probe extends ElementBase {
  static override styles = ':host { display: block; color: rgb(1, 2, 3); }';

  static override properties: PropertyDeclarations = {
    label: {},
    size: { type: Number },
    open: { type: Boolean },
    name: { reflect: true },
    data: { attribute: false },
    local: { attribute: false },
  };

  label = 'start';
  size = 1;
  open = false;
  name?: string;
  data: unknown = null;
  local = 0;

  renders = 0;
  seen: PropertyValues[] = [];
  /** Sets `local` once from `updated()`, to check that such a change gets an update of its own. */
  bumpInUpdated = false;

  protected override updated(changed: PropertyValues): void {
    this.seen.push(changed);
    if (this.bumpInUpdated) {
      this.bumpInUpdated = false;
      this.local += 1;
    }
  }

  protected override render() {
    this.renders += 1;
    return html`<p>${this.label} ${this.size} ${this.open} ${this.local}</p>`;
  }
}

function defineProbe(): string {
  const name = tag();
  customElements.define(name, class extends Probe {});
  return name;
}

async function mount(name: string, attributes = ''): Promise<Probe> {
  const host = document.createElement('div');
  host.innerHTML = `<${name} ${attributes}></${name}>`;
  document.body.append(host);
  const element = host.firstElementChild as Probe;
  await element.updateComplete;
  return element;
}

const text = (element: Probe) => element.renderRoot.querySelector('p')!.textContent;

describe('ElementBase', () => {
  afterEach(() => document.body.replaceChildren());

  it('renders after connecting, and reads attributes by their declared type', async () => {
    const element = await mount(defineProbe(), 'label="hello" size="42" open');
    expect(text(element)).to.equal('hello 42 true 0');
    element.removeAttribute('open');
    element.setAttribute('size', '7');
    await element.updateComplete;
    expect(text(element)).to.equal('hello 7 false 0');
  });

  it('batches changes into one update, with their previous values', async () => {
    const element = await mount(defineProbe());
    const before = element.renders;
    element.label = 'a';
    element.label = 'b';
    element.size = 2;
    await element.updateComplete;
    expect(element.renders).to.equal(before + 1);
    const changed = element.seen.at(-1)!;
    expect(changed.get('label')).to.equal('start');
    expect(changed.get('size')).to.equal(1);
    expect(text(element)).to.equal('b 2 false 0');
  });

  it('does not update for a value that did not change', async () => {
    const element = await mount(defineProbe());
    const before = element.renders;
    element.label = 'start';
    await element.updateComplete;
    expect(element.renders).to.equal(before);
  });

  it('reflects a reflected property to its attribute, and back without a loop', async () => {
    const element = await mount(defineProbe());
    element.name = 'layer_token';
    await element.updateComplete;
    expect(element.getAttribute('name')).to.equal('layer_token');
    element.setAttribute('name', 'other');
    expect(element.name).to.equal('other');
    element.name = undefined;
    await element.updateComplete;
    expect(element.hasAttribute('name')).to.equal(false);
  });

  it('has no attribute for attribute: false', () => {
    const observed = (customElements.get(defineProbe()) as unknown as typeof ElementBase).observedAttributes;
    expect(observed).to.deep.equal(['label', 'size', 'open', 'name']);
  });

  it('waits in updateComplete for an update requested from updated()', async () => {
    const element = await mount(defineProbe());
    element.bumpInUpdated = true;
    element.label = 'x';
    await element.updateComplete;
    expect(text(element)).to.equal('x 1 false 1');
  });

  it('keeps a property set before the element was defined (a framework that rendered first)', async () => {
    const name = tag();
    const early = document.createElement(name) as unknown as { data: unknown; label: string };
    early.data = { from: 'before' };
    early.label = 'early';
    document.body.append(early as unknown as Node);
    customElements.define(name, class extends Probe {});
    const element = early as unknown as Probe;
    await element.updateComplete;
    expect(element.data).to.deep.equal({ from: 'before' });
    expect(text(element)).to.equal('early 1 false 0');
    expect(Object.prototype.hasOwnProperty.call(element, 'label')).to.equal(false);
  });

  it('does not render before it is first connected', async () => {
    const element = document.createElement(defineProbe()) as Probe;
    element.label = 'offline';
    await element.updateComplete;
    expect(element.renders).to.equal(0);
    document.body.append(element);
    await element.updateComplete;
    expect(text(element)).to.equal('offline 1 false 0');
  });

  it('tells its controllers when it connects and disconnects', async () => {
    const element = document.createElement(defineProbe()) as Probe;
    const calls: string[] = [];
    element.addController({
      hostConnected: () => calls.push('connected'),
      hostDisconnected: () => calls.push('disconnected'),
    });
    document.body.append(element);
    element.remove();
    document.body.append(element);
    expect(calls).to.deep.equal(['connected', 'disconnected', 'connected']);
  });

  it('tells a controller added in the constructor once, when an element already in the page is upgraded', async () => {
    // Upgraded in place, the element is connected while its constructor runs; a hostConnected()
    // there as well as from connectedCallback would leave the first one's work (listeners) with no
    // hostDisconnected() to undo it.
    const name = tag();
    document.body.insertAdjacentHTML('beforeend', `<${name}></${name}>`);
    const calls: string[] = [];
    customElements.define(
      name,
      class extends Probe {
        constructor() {
          super();
          this.addController({
            hostConnected: () => calls.push('connected'),
            hostDisconnected: () => calls.push('disconnected'),
          });
        }
      },
    );
    const element = document.body.querySelector(name) as Probe;
    await element.updateComplete;
    element.remove();
    expect(calls).to.deep.equal(['connected', 'disconnected']);
  });

  it('adopts one stylesheet shared by every instance of a class', async () => {
    const name = defineProbe();
    const [a, b] = [await mount(name), await mount(name)];
    expect(a.renderRoot.adoptedStyleSheets).to.have.length(1);
    expect(a.renderRoot.adoptedStyleSheets[0]).to.equal(b.renderRoot.adoptedStyleSheets[0]);
    expect(getComputedStyle(a).color).to.equal('rgb(1, 2, 3)');
  });
});
