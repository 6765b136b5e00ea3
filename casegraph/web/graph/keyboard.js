/* The graph from the keyboard: arrows move the selection (in name order), Enter or Space
 * opens the selected entity, `p` / `t` make it a path's start / end, `f` fits the view. */

/** The index reached from `index` by `key` among `count` entities, or null (pure). */
export function step(key, index, count) {
  if (!count) return null;
  if (key === "ArrowRight" || key === "ArrowDown") return (index + 1) % count;
  if (key === "ArrowLeft" || key === "ArrowUp") return index < 0 ? count - 1 : (index - 1 + count) % count;
  return null;
}

/** Listen on `container`; `actions`: {say, setPathEnd}. */
export function bindKeyboard(container, view, actions) {
  const { cy } = view;
  container.addEventListener("keydown", (evt) => {
    const nodes = cy
      .nodes()
      .not(".group")
      .sort((a, b) => String(a.data("display")).localeCompare(String(b.data("display"))));
    if (nodes.empty()) return;
    const selected = cy.$("node:selected");
    const index = selected.nonempty() ? nodes.indexOf(selected[0]) : -1;
    const next = step(evt.key, index, nodes.length);
    if (next !== null) {
      cy.$(":selected").unselect();
      const node = nodes[next];
      node.select();
      cy.animate({ center: { eles: node } }, { duration: 150 });
      actions.say(`Selected ${node.data("display")} (${node.data("label")}).`, "info");
    } else if ((evt.key === "Enter" || evt.key === " ") && index >= 0) {
      selected.emit("tap");
    } else if ((evt.key === "p" || evt.key === "t") && index >= 0) {
      actions.setPathEnd(evt.key === "p" ? "source" : "target", selected.data("raw"));
    } else if (evt.key === "f") {
      view.fit();
    } else {
      return;
    }
    evt.preventDefault();
  });
}
