// The part of Preact's API the portal uses, typed for `tsc --checkJs`
// (the full declarations ship with the npm package, not vendored).
export type VNode = { type: unknown; props: Record<string, unknown> };
export type ComponentChild = VNode | string | number | bigint | boolean | null | undefined | ComponentChild[];
export function h(type: unknown, props: Record<string, unknown> | null, ...children: unknown[]): VNode;
export function render(vnode: ComponentChild, parent: Element): void;
