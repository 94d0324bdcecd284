// Where a page keeps its session. An embedded chat is a third-party frame, and a browser that
// blocks third-party storage throws on the first touch of localStorage: then the chat keeps it
// for this tab only (sessionStorage), or failing that in memory, and still works.

function usable(name) {
  try {
    const storage = window[name];
    const probe = "chat.storage-probe";
    storage.setItem(probe, probe);
    storage.removeItem(probe);
    return storage;
  } catch {
    return null;
  }
}

function inMemory() {
  const values = new Map();
  return {
    getItem: (key) => (values.has(key) ? values.get(key) : null),
    setItem: (key, value) => values.set(key, String(value)),
    removeItem: (key) => values.delete(key),
  };
}

export const storage = usable("localStorage") || usable("sessionStorage") || inMemory();
