/**
 * Defaults first, then the caller's values over them (AWS Solutions Constructs' consolidateProps idea).
 * Fields the caller left undefined keep their default, so `{ x: undefined }` never erases one.
 */
export function withDefaults<D extends object>(defaults: D, overrides: { [K in keyof D]?: D[K] | undefined }): D {
    const given = Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined));
    return { ...defaults, ...given } as D;
}
