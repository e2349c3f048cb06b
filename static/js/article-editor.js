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
  ["image", null, null],
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

// Our own media (a relative /media/ address): anything else is another host's picture.
function isOwnImage(attrs, mediaUrl) {
  return Boolean(attrs.photo) || (typeof attrs.src === "string" && attrs.src.startsWith(mediaUrl) && !attrs.src.startsWith("//"));
}

// An image node that remembers which photo of the article it shows (data-photo; the public page
// shows that photo's current rendition) and never loads another host's picture: a pasted
// 公众号 image (mmbiz.qpic.cn …) is kept in place but shown as a marked placeholder.
function articleImage(labels) {
  return Image.extend({
    addAttributes() {
      return {
        ...this.parent?.(),
        photo: {
          default: null,
          parseHTML: (element) => element.getAttribute("data-photo"),
          renderHTML: (attrs) => (attrs.photo ? { "data-photo": attrs.photo } : {}),
        },
      };
    },
    addNodeView() {
      return ({ node }) => {
        if (isOwnImage(node.attrs, labels.media_url)) {
          const img = document.createElement("img");
          img.src = node.attrs.src;
          img.alt = node.attrs.alt || "";
          return { dom: img };
        }
        const marker = document.createElement("span");
        marker.className = "article-editor-foreign";
        marker.dataset.foreignSrc = node.attrs.src || "";
        marker.textContent = labels.foreign_image;
        return { dom: marker };
      };
    },
  });
}

// Pasted HTML (公众号, 秀米, Word, web pages): structure stays, styles and tracking go (the
// schema keeps only what the toolbar writes); lazy images' real address is in data-src.
function cleanPastedHTML(html) {
  // Style attributes go before parsing: even an inert parsed document applies the page's CSP
  // to them (a console error per attribute).
  const unstyled = html.replace(/\sstyle\s*=\s*("[^"]*"|'[^']*'|[^\s>]+)/gi, "");
  const doc = new DOMParser().parseFromString(unstyled, "text/html");
  for (const img of doc.querySelectorAll("img")) {
    const lazy = img.getAttribute("data-src");
    const src = img.getAttribute("src") || "";
    if (lazy && (!src || src.startsWith("data:"))) img.setAttribute("src", lazy);
    // A picture alone in its paragraph is a block of its own (no empty paragraph left behind).
    const parent = img.parentElement;
    if (parent && parent.tagName === "P" && parent.textContent.trim() === "" && parent.children.length === 1) {
      parent.replaceWith(img);
    }
  }
  for (const element of doc.body.querySelectorAll("[class], [id]")) {
    element.removeAttribute("class");
    element.removeAttribute("id");
  }
  return doc.body.innerHTML;
}

function photoPicker(editor, labels, photos) {
  const panel = document.createElement("div");
  panel.className = "article-editor-photos";
  panel.hidden = true;
  if (photos.length === 0) {
    panel.textContent = labels.image_none;
  }
  for (const photo of photos) {
    const button = document.createElement("button");
    button.type = "button";
    button.className = "btn btn-sm btn-outline-secondary";
    button.dataset.photo = String(photo.id);
    button.title = photo.caption || labels.image;
    const thumb = document.createElement("img");
    thumb.src = photo.src;
    thumb.alt = photo.caption || "";
    button.append(thumb);
    button.addEventListener("mousedown", (event) => event.preventDefault());
    button.addEventListener("click", () => {
      editor.chain().focus().setImage({ src: photo.src, alt: photo.caption || "", photo: String(photo.id) }).run();
      panel.hidden = true;
    });
    panel.append(button);
  }
  return panel;
}

// A photo file dropped or pasted into the text goes through the server's photo validator (the
// same as the form's) and comes back as a photo of the article, inserted where it was dropped.
function uploadFiles(editor, textarea, labels, files, position) {
  const images = [...files].filter((file) => file.type.startsWith("image/"));
  if (images.length === 0) return false;
  const url = textarea.dataset.articleUpload;
  if (!url) {
    window.alert(labels.upload_first);
    return true;
  }
  const token = textarea.form?.querySelector("input[name=csrfmiddlewaretoken]")?.value || "";
  for (const file of images) {
    const body = new FormData();
    body.append("image", file);
    textarea.dispatchEvent(new CustomEvent("article-editor:uploading", { bubbles: true }));
    fetch(url, { method: "POST", body, headers: { "X-CSRFToken": token }, credentials: "same-origin" })
      .then((response) => response.json().then((data) => ({ ok: response.ok, data })))
      .then(({ ok, data }) => {
        if (!ok) {
          window.alert(data.error);
          return;
        }
        const node = { type: "image", attrs: { src: data.src, alt: data.caption || "", photo: String(data.id) } };
        const chain = editor.chain().focus();
        (position === null ? chain.insertContent(node) : chain.insertContentAt(position, node)).run();
      })
      .catch(() => window.alert(labels.upload_failed));
  }
  return true;
}

function createEditor(textarea) {
  const labels = JSON.parse(textarea.dataset.articleEditor);
  const photos = JSON.parse(textarea.dataset.articlePhotos || "[]");
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

  const editorRef = {};
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
      articleImage(labels),
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
      transformPastedHTML: cleanPastedHTML,
      handlePaste(view, event) {
        const files = event.clipboardData?.files || [];
        return files.length > 0 && uploadFiles(editorRef.editor, textarea, labels, files, null);
      },
      handleDrop(view, event) {
        const files = event.dataTransfer?.files || [];
        if (files.length === 0) return false;
        const at = view.posAtCoords({ left: event.clientX, top: event.clientY });
        event.preventDefault();
        return uploadFiles(editorRef.editor, textarea, labels, files, at ? at.pos : null);
      },
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

  editorRef.editor = editor;
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
      else if (name === "image") picker.hidden = !picker.hidden;
      else command(editor.chain().focus()).run();
    });
    toolbar.append(button);
    return [button, active];
  });
  const picker = photoPicker(editor, labels, photos);
  toolbar.after(picker);
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
