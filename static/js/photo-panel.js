// The photo panel: drag a row to reorder the photos; the order boxes (the no-JS way) are
// renumbered 1, 2, 3 … so that what is saved is the order seen.
const list = document.querySelector(".photo-panel-rows");
if (list) {
  let dragged = null;
  const renumber = () => {
    list.querySelectorAll(".photo-panel-row").forEach((row, index) => {
      row.querySelector("input.photo-position").value = String(index + 1);
    });
  };
  for (const row of list.querySelectorAll(".photo-panel-row")) {
    row.draggable = true;
    row.addEventListener("dragstart", (event) => {
      dragged = row;
      row.classList.add("is-dragging");
      event.dataTransfer.effectAllowed = "move";
      event.dataTransfer.setData("text/plain", row.dataset.photo);
    });
    row.addEventListener("dragend", () => {
      row.classList.remove("is-dragging");
      dragged = null;
      renumber();
    });
    row.addEventListener("dragover", (event) => {
      if (!dragged || dragged === row) return;
      event.preventDefault();
      const box = row.getBoundingClientRect();
      const after = event.clientY > box.top + box.height / 2;
      row[after ? "after" : "before"](dragged);
    });
    row.addEventListener("drop", (event) => event.preventDefault());
  }
}
