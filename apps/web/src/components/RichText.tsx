import { ActionIcon, Box, Group, Input, Tooltip } from '@mantine/core';
import { EditorContent, useEditor, useEditorState } from '@tiptap/react';
import StarterKit from '@tiptap/starter-kit';
import { useEffect, useId } from 'react';

type Editor = NonNullable<ReturnType<typeof useEditor>>;

interface Tool {
  label: string;
  text: string;
  run: (editor: Editor) => void;
  active?: (editor: Editor) => boolean;
}

const TOOLS: Tool[] = [
  {
    label: 'Bold',
    text: 'B',
    run: (e) => e.chain().focus().toggleBold().run(),
    active: (e) => e.isActive('bold'),
  },
  {
    label: 'Italic',
    text: 'I',
    run: (e) => e.chain().focus().toggleItalic().run(),
    active: (e) => e.isActive('italic'),
  },
  {
    label: 'Heading H2',
    text: 'H2',
    run: (e) => e.chain().focus().toggleHeading({ level: 2 }).run(),
    active: (e) => e.isActive('heading', { level: 2 }),
  },
  {
    label: 'Subheading H3',
    text: 'H3',
    run: (e) => e.chain().focus().toggleHeading({ level: 3 }).run(),
    active: (e) => e.isActive('heading', { level: 3 }),
  },
  {
    label: 'Bulleted list',
    text: '•',
    run: (e) => e.chain().focus().toggleBulletList().run(),
    active: (e) => e.isActive('bulletList'),
  },
  {
    label: 'Numbered list 1.',
    text: '1.',
    run: (e) => e.chain().focus().toggleOrderedList().run(),
    active: (e) => e.isActive('orderedList'),
  },
  {
    label: 'Quote',
    text: '“',
    run: (e) => e.chain().focus().toggleBlockquote().run(),
    active: (e) => e.isActive('blockquote'),
  },
  {
    label: 'Link',
    text: '↗',
    run: (e) => {
      const href = window.prompt(
        'Link to (https://…); empty removes the link',
        e.getAttributes('link')['href'] ?? '',
      );
      if (href === null) return;
      if (!href) e.chain().focus().unsetLink().run();
      else e.chain().focus().extendMarkRange('link').setLink({ href }).run();
    },
    active: (e) => e.isActive('link'),
  },
  { label: 'Undo', text: '↶', run: (e) => e.chain().focus().undo().run() },
  { label: 'Redo', text: '↷', run: (e) => e.chain().focus().redo().run() },
];

/**
 * The body as rich text (tiptap, HTML in and out). The API sanitises what
 * it stores; this editor only makes what the sanitiser keeps (paragraphs,
 * headings, emphasis, lists, quotes, links, code).
 */
export function RichText({
  label,
  value,
  onChange,
  error,
  readOnly,
}: {
  label: string;
  value: string;
  onChange: (html: string) => void;
  error?: string;
  readOnly?: boolean;
}) {
  const id = useId();
  const editor = useEditor({
    extensions: [
      StarterKit.configure({ link: { openOnClick: false, protocols: ['http', 'https', 'mailto'] } }),
    ],
    content: value,
    editable: !readOnly,
    immediatelyRender: true,
    editorProps: {
      attributes: {
        role: 'textbox',
        'aria-multiline': 'true',
        'aria-labelledby': `${id}-label`,
        style: 'min-height: 12rem; padding: 0.5rem 0.75rem; outline: none;',
      },
    },
    onUpdate: ({ editor: current }) => onChange(current.getHTML()),
  });
  const active = useEditorState({
    editor,
    selector: ({ editor: current }) =>
      TOOLS.map((tool) => (current && tool.active ? tool.active(current) : false)),
  });
  // A reload, a restore or a stale-save refresh replaces the body from outside.
  useEffect(() => {
    if (editor && value !== editor.getHTML()) editor.commands.setContent(value, { emitUpdate: false });
  }, [editor, value]);
  useEffect(() => editor?.setEditable(!readOnly), [editor, readOnly]);

  return (
    <Input.Wrapper label={label} labelProps={{ id: `${id}-label` }} labelElement="div" error={error}>
      <Box
        style={{
          border: `1px solid ${error ? 'var(--mantine-color-error)' : 'var(--mantine-color-default-border)'}`,
          borderRadius: 'var(--mantine-radius-sm)',
        }}
      >
        {!readOnly && editor && (
          <Group gap={4} p={4} role="toolbar" aria-label={`${label} formatting`}>
            {TOOLS.map((tool, i) => (
              <Tooltip key={tool.label} label={tool.label}>
                <ActionIcon
                  variant={active?.[i] ? 'filled' : 'default'}
                  aria-label={tool.label}
                  aria-pressed={tool.active ? !!active?.[i] : undefined}
                  onClick={() => tool.run(editor)}
                >
                  <span aria-hidden>{tool.text}</span>
                </ActionIcon>
              </Tooltip>
            ))}
          </Group>
        )}
        <EditorContent editor={editor} />
      </Box>
    </Input.Wrapper>
  );
}
