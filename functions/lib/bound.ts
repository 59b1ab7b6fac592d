/** A use case with its ports given: the operation a caller sees. */
export function bound<P, A extends unknown[], R>(useCase: (ports: P, ...args: A) => R, ports: P): (...args: A) => R {
  return (...args) => useCase(ports, ...args);
}
