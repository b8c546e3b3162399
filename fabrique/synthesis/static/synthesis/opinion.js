// After an answer, the next statement comes in its place: bring the reader to it.
document.addEventListener("htmx:afterSwap", function (event) {
  var target = event.detail.target;
  if (!target || target.id !== "opinion-vote") return;
  var focus = document.querySelector("#opinion-vote [data-focus]");
  if (focus) focus.focus();
});
