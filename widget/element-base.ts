// The element's base: Lit's templates (lit-html) with the part of LitElement the element uses —
// declared properties and their attributes, batched updates, `updateComplete`, controllers and
// shared styles. Written by hand because LitElement with ReactiveElement and its decorators is
// 4 KB of the drop-in script's gzip size, and the script has a 10 KB budget (bench/size.ts);
// these few lines do what the element needs, with LitElement's names, so a reader of Lit's docs
// finds their way.
import { render, type TemplateResult } from 'lit/html.js';

import { DEV } from './dev.js';
import { hasOwn } from './has-own.js';

export interface PropertyDeclaration {
  /** Boolean, Number or String (default): how the attribute's text becomes the value. */
  type?: typeof Boolean | typeof Number | typeof String;
  /** The attribute's name (default: the property name lower-cased), or `false` for none. */
  attribute?: string | false;
  /** Writes the value back to the attribute after each change. */
  reflect?: boolean;
}

export type PropertyDeclarations = Readonly<Record<string, PropertyDeclaration>>;

/** The properties changed since the last update, with their previous values. */
export type PropertyValues = Map<PropertyKey, unknown>;

/** Lit's `ReactiveController`: an object that hooks into its host's life. */
export interface ReactiveController {
  hostConnected?(): void;
  hostDisconnected?(): void;
}

/** Lit's `ReactiveControllerHost`, the host side of a controller. */
export interface ReactiveControllerHost {
  addController(controller: ReactiveController): void;
  requestUpdate(): void;
  readonly updateComplete: Promise<boolean>;
}

const attributeOf = (name: string, declaration: PropertyDeclaration): string =>
  declaration.attribute || name.toLowerCase();

function fromAttribute(value: string | null, type: PropertyDeclaration['type']): unknown {
  if (type === Boolean) return value !== null;
  if (type === Number) return value === null ? null : Number(value);
  return value;
}

/**
 * `HTMLElement`, or on a server (SSR, prerendering) a stand-in, so importing and constructing the
 * element does not throw there; it renders only in the browser.
 */
const HTMLElementOrStandIn: typeof HTMLElement =
  globalThis.HTMLElement ??
  (class {
    attachShadow() {
      return {};
    }
    attachInternals() {
      return {};
    }
  } as unknown as typeof HTMLElement);

/**
 * A custom element that renders `render()` into its shadow root a microtask after any declared
 * property (or `requestUpdate()`) changes, with LitElement's life cycle: `willUpdate(changed)`,
 * render, `updated(changed)`, and `updateComplete`.
 */
export abstract class ElementBase extends HTMLElementOrStandIn implements ReactiveControllerHost {
  // Declared, not defaulted: every element class sets both, and a default here would be code in
  // the drop-in script that never runs.

  /** Properties that update the element when set; each maps to an attribute unless told not to. */
  declare static properties: PropertyDeclarations;

  /** CSS text for the shadow root, shared by every instance through one constructed stylesheet. */
  declare static styles: string;

  /** Set on each class by its own `finalize()` (an own property: a subclass runs its own). */
  protected static finalized?: true;

  private static sharedSheet?: CSSStyleSheet;

  /** Each observed attribute's property. */
  private static propertyOfAttribute: Map<string, string>;

  static get observedAttributes(): string[] {
    this.finalize();
    return [...this.propertyOfAttribute.keys()];
  }

  /**
   * Once per class: the stylesheet its instances share, which property each attribute sets, and an
   * accessor on the prototype for each declared property (setting one schedules an update).
   */
  static finalize(): void {
    if (hasOwn(this, 'finalized')) return;
    this.finalized = true;
    this.sharedSheet = undefined; // this class's own, never its parent's
    // No constructable stylesheets on a server, nor in jsdom (a test DOM, which has CSSStyleSheet
    // but not replaceSync): unstyled there.
    if (this.styles && (globalThis.CSSStyleSheet?.prototype.replaceSync as unknown)) {
      this.sharedSheet = new CSSStyleSheet();
      this.sharedSheet.replaceSync(this.styles);
    }
    this.propertyOfAttribute = new Map();
    for (const [name, declaration] of Object.entries(this.properties)) {
      if (declaration.attribute !== false) this.propertyOfAttribute.set(attributeOf(name, declaration), name);
      Object.defineProperty(this.prototype, name, {
        get(this: ElementBase) {
          return this.#values.get(name);
        },
        set(this: ElementBase, value: unknown) {
          const old = this.#values.get(name);
          if (Object.is(old, value)) return;
          this.#values.set(name, value);
          this.requestUpdate(name, old);
        },
        configurable: true,
      });
    }
  }

  readonly renderRoot: ShadowRoot;

  readonly #values = new Map<string, unknown>();
  #changed: PropertyValues = new Map();
  readonly #controllers = new Set<ReactiveController>();
  #updating: Promise<void> | null = null;
  /** Until the first connection, updates wait (as LitElement's do). */
  #enabled = false;
  /** Properties set before the upgrade, applied on the first connection. */
  readonly #upgraded = new Map<string, unknown>();
  /** The attribute being written by a reflected property: not read back. */
  #reflecting: string | null = null;

  constructor() {
    super();
    const type = this.constructor as typeof ElementBase;
    type.finalize();
    // A property set on the element before its class was defined (a framework rendering before
    // the script arrived) is an own property hiding the accessor: kept, and applied on connecting.
    for (const name of Object.keys(type.properties))
      if (hasOwn(this, name)) {
        this.#upgraded.set(name, (this as unknown as Record<string, unknown>)[name]);
        delete (this as unknown as Record<string, unknown>)[name];
      }
    this.renderRoot = this.attachShadow({ mode: 'open' });
    if (type.sharedSheet) this.renderRoot.adoptedStyleSheets = [type.sharedSheet];
  }

  /**
   * Adds a controller, from the constructor or a class field as the element's own is: its
   * hostConnected() comes with connectedCallback, once, also when an element already in the page
   * is upgraded. Unlike Lit's, one added after that is not told it is connected until the next time.
   */
  addController(controller: ReactiveController): void {
    if (DEV && this.#enabled && this.isConnected)
      console.warn(
        `<${this.localName}>: a controller added while connected gets no hostConnected() until the element reconnects. Add it in the constructor.`,
      );
    this.#controllers.add(controller);
  }

  connectedCallback(): void {
    if (DEV)
      for (const name of Object.keys((this.constructor as typeof ElementBase).properties))
        if (hasOwn(this, name))
          console.warn(
            `<${this.localName}>: the class field "${name}" hides its property accessor, so setting it does not update the element. Compile with useDefineForClassFields: false.`,
          );
    // Before the controllers hear of it: the flow reads api and link-script-src a microtask
    // later, ahead of the first update.
    for (const [name, value] of this.#upgraded) (this as unknown as Record<string, unknown>)[name] = value;
    this.#upgraded.clear();
    this.#enabled = true;
    this.#controllers.forEach((controller) => controller.hostConnected?.());
    this.requestUpdate();
  }

  disconnectedCallback(): void {
    this.#controllers.forEach((controller) => controller.hostDisconnected?.());
  }

  attributeChangedCallback(attribute: string, _old: string | null, value: string | null): void {
    if (attribute === this.#reflecting) return;
    const { properties, propertyOfAttribute } = this.constructor as typeof ElementBase;
    const name = propertyOfAttribute.get(attribute);
    if (name)
      (this as unknown as Record<string, unknown>)[name] = fromAttribute(value, properties[name]!.type);
  }

  /** Schedules an update a microtask from now (once, however many changes come meanwhile). */
  requestUpdate(name?: PropertyKey, old?: unknown): void {
    if (name !== undefined && !this.#changed.has(name)) this.#changed.set(name, old);
    if (this.#updating || !this.#enabled) return;
    this.#updating = Promise.resolve().then(() => this.#performUpdate());
  }

  /** Resolves when no update is pending (including updates requested while updating). */
  get updateComplete(): Promise<boolean> {
    return this.#updating ? this.#updating.then(() => this.updateComplete) : Promise.resolve(true);
  }

  protected willUpdate(_changed: PropertyValues): void {}

  protected updated(_changed: PropertyValues): void {}

  protected abstract render(): TemplateResult;

  /** willUpdate, reflect, render, then updated: a change made in `updated()` schedules another. */
  #performUpdate(): void {
    const changed = this.#changed;
    this.#changed = new Map();
    try {
      this.willUpdate(changed);
      const { properties } = this.constructor as typeof ElementBase;
      for (const name of changed.keys()) {
        const declaration = properties[name as string];
        if (!declaration?.reflect || declaration.attribute === false) continue;
        const value = this.#values.get(name as string);
        const attribute = (this.#reflecting = attributeOf(name as string, declaration));
        if (value == null) this.removeAttribute(attribute);
        else this.setAttribute(attribute, String(value));
        this.#reflecting = null;
      }
      render(this.render(), this.renderRoot, { host: this });
    } finally {
      this.#updating = null;
    }
    this.updated(changed);
  }
}
