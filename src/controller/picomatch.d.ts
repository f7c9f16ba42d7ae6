// picomatch ships no type declarations; this is the part of its API the file watcher uses.
declare module 'picomatch' {
  interface PicomatchOptions {
    /** Match dotfiles too. */
    dot?: boolean;
    /** Patterns without a slash match the last path segment at any depth. */
    basename?: boolean;
  }
  /** Compiles globs into a matcher of paths. */
  function picomatch(glob: string | string[], options?: PicomatchOptions): (path: string) => boolean;
  export default picomatch;
}
