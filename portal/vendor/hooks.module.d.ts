// The Preact hooks the portal uses, typed for `tsc --checkJs`.
export function useState<S>(initial: S | (() => S)): [S, (value: S | ((previous: S) => S)) => void];
export function useEffect(effect: () => void | (() => void), inputs?: readonly unknown[]): void;
export function useRef<T>(initial: T): { current: T };
export function useLayoutEffect(effect: () => void | (() => void), inputs?: readonly unknown[]): void;
