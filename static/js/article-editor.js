// The article body editor: Tiptap/ProseMirror from django-prose-editor, with a small toolbar in
// the staff's language. It replaces each <textarea data-article-editor> and writes the editor's
// HTML back into it; the server sanitises that HTML with the same allow-list (activities/richtext.py).
import {
  Blockquote,
  Bold,
  BulletList,
  Document,
  Dropcursor,
  Editor,
  Gapcursor,
  HardBreak,
  Heading,
  Highlight,
  HorizontalRule,
  Image,
  Italic,
  Link,
  ListItem,
  OrderedList,
  Paragraph,
  Text,
  UndoRedo,
} from "../django_prose_editor/editor.js";

// The button order is the toolbar; each label comes from the page (translated on the server).
const BUTTONS = [
  ["paragraph", (c) => c.setParagraph(), (e) => e.isActive("paragraph")],
  ["heading", (c) => c.toggleHeading({ level: 2 }), (e) => e.isActive("heading", { level: 2 })],
  ["bold", (c) => c.toggleBold(), (e) => e.isActive("bold")],
  ["highlight", (c) => c.toggleHighlight(), (e) => e.isActive("highlight")],
  ["quote", (c) => c.toggleBlockquote(), (e) => e.isActive("blockquote")],
  ["bullets", (c) => c.toggleBulletList(), (e) => e.isActive("bulletList")],
  ["numbers", (c) => c.toggleOrderedList(), (e) => e.isActive("orderedList")],
  ["link", null, (e) => e.isActive("link")],
  ["divider", (c) => c.setHorizontalRule(), null],
  ["undo", (c) => c.undo(), null],
  ["redo", (c) => c.redo(), null],
];

function askLink(editor, labels) {
  const current = editor.getAttributes("link").href || "";
  const href = window.prompt(labels.link_prompt, current);
  if (href === null) return;
  const chain = editor.chain().focus().extendMarkRange("link");
  if (href.trim() === "") chain.unsetLink().run();
  else chain.setLink({ href: href.trim() }).run();
}

function createEditor(textarea) {
  const labels = JSON.parse(textarea.dataset.articleEditor);
  const wrapper = document.createElement("div");
  wrapper.className = "article-editor";
  const toolbar = document.createElement("div");
  toolbar.className = "article-editor-toolbar";
  toolbar.setAttribute("role", "toolbar");
  toolbar.setAttribute("aria-label", labels.toolbar);
  const surface = document.createElement("div");
  surface.className = "article-editor-surface";
  textarea.before(wrapper);
  wrapper.append(toolbar, surface, textarea);
  textarea.hidden = true;

  const editor = new Editor({
    element: surface,
    // The CSP forbids inline <style>: the editor's CSS is in article-editor.css.
    injectCSS: false,
    extensions: [
      Document,
      Paragraph,
      Text,
      HardBreak,
      Heading.configure({ levels: [2, 3] }),
      Bold,
      Italic,
      Highlight,
      Blockquote,
      BulletList,
      OrderedList,
      ListItem,
      HorizontalRule,
      Image,
      // The same rel as the server's sanitiser adds, and no target: the stored HTML round-trips.
      Link.configure({
        openOnClick: false,
        autolink: false,
        HTMLAttributes: { target: null, rel: "noopener noreferrer nofollow" },
      }),
      UndoRedo,
      Dropcursor,
      Gapcursor,
    ],
    content: textarea.value,
    editorProps: {
      attributes: {
        class: "article-editor-content form-control",
        "aria-label": labels.body,
        "aria-multiline": "true",
        role: "textbox",
      },
    },
    onUpdate({ editor }) {
      const html = editor.getHTML();
      textarea.value = html === "<p></p>" ? "" : html;
    },
  });

  const buttons = BUTTONS.map(([name, command, active]) => {
    const button = document.createElement("button");
    button.type = "button";
    button.className = "btn btn-sm btn-outline-secondary";
    button.dataset.command = name;
    button.textContent = labels[name];
    // Keep the focus (and the phone's keyboard) in the text while a button is pressed.
    button.addEventListener("mousedown", (event) => event.preventDefault());
    button.addEventListener("click", () => {
      if (name === "link") askLink(editor, labels);
      else command(editor.chain().focus()).run();
    });
    toolbar.append(button);
    return [button, active];
  });
  const refresh = () => {
    for (const [button, active] of buttons) {
      if (active) button.setAttribute("aria-pressed", active(editor) ? "true" : "false");
    }
  };
  editor.on("selectionUpdate", refresh);
  editor.on("transaction", refresh);
  refresh();
  textarea.dispatchEvent(new CustomEvent("article-editor:ready", { bubbles: true, detail: { editor } }));
  return editor;
}

for (const textarea of document.querySelectorAll("textarea[data-article-editor]")) {
  createEditor(textarea);
}
