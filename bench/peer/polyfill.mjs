// PostGraphile v5 uses Promise.withResolvers (Node 22+); on Node 20 the benchmark loads this first.
if (!Promise.withResolvers) {
  Promise.withResolvers = () => {
    let resolve;
    let reject;
    const promise = new Promise((res, rej) => {
      resolve = res;
      reject = rej;
    });
    return { promise, resolve, reject };
  };
}
