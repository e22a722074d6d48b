import { builder } from '../builder.ts';
import type { Article as ArticleRow } from '../generated/prisma/client.ts';
import { createEntity, deleteEntity, given, updateEntity } from '../story/editing.ts';
import { Article } from './article.ts';
import { lineSchema, slugSchema, textSchema, urlSchema } from './inputs.ts';
import { DeleteInput, DeletePayload } from './mutation-common.ts';

const FIELDS = ['slug', 'headline', 'summary', 'body', 'source', 'url', 'publishedAt'] as const;

const ArticlePatch = builder.inputType('ArticlePatch', {
  description: 'Fields to change on an article; leave out what stays the same.',
  fields: (t) => ({
    slug: t.string({ description: 'A new slug.', validate: slugSchema }),
    headline: t.string({ description: 'The headline.', validate: lineSchema(300) }),
    summary: t.string({
      description: 'A sentence or two on what it reports.',
      validate: textSchema(2000),
    }),
    body: t.string({
      description: 'The text. Mention spans are not moved: relink mentions after large edits.',
      validate: textSchema(100_000),
    }),
    source: t.string({ description: 'Who published it.', validate: lineSchema() }),
    url: t.string({ description: 'Where to read it; null clears it.', validate: urlSchema }),
    publishedAt: t.field({ type: 'DateTime', description: 'When it was first published.' }),
  }),
});

const CreateArticleInput = builder.inputType('CreateArticleInput', {
  description: 'A new article. Link what it mentions with the link mutations.',
  fields: (t) => ({
    slug: t.string({ required: true, description: 'A unique slug.', validate: slugSchema }),
    headline: t.string({ required: true, description: 'The headline.', validate: lineSchema(300) }),
    summary: t.string({
      description: 'A sentence or two on what it reports.',
      validate: textSchema(2000),
    }),
    body: t.string({ description: 'The text.', validate: textSchema(100_000) }),
    source: t.string({ required: true, description: 'Who published it.', validate: lineSchema() }),
    url: t.string({ description: 'Where to read it.', validate: urlSchema }),
    publishedAt: t.field({
      type: 'DateTime',
      required: true,
      description: 'When it was first published.',
    }),
  }),
});

const UpdateArticleInput = builder.inputType('UpdateArticleInput', {
  description: 'A change to an article, applied only if `expectedVersion` is still current.',
  fields: (t) => ({
    id: t.id({ required: true, description: "The article's ID." }),
    expectedVersion: t.int({ required: true, description: 'The version the change was based on.' }),
    patch: t.field({ type: ArticlePatch, required: true, description: 'What to change.' }),
  }),
});

export const ArticlePayload = builder
  .objectRef<{ article: ArticleRow }>('ArticlePayload')
  .implement({
    description: 'The article after the change.',
    fields: (t) => ({
      article: t.field({
        type: Article,
        description: 'The article as committed.',
        resolve: (payload) => payload.article,
      }),
    }),
  });

builder.mutationFields((t) => ({
  createArticle: t.field({
    type: ArticlePayload,
    description: 'Adds an article. Needs an editor token.',
    authScopes: { editor: true },
    args: {
      input: t.arg({ type: CreateArticleInput, required: true, description: 'The new article.' }),
    },
    resolve: async (_root, { input }, ctx) => ({
      article: await createEntity<ArticleRow>(ctx.viewer, {
        type: 'Article',
        data: {
          ...input,
          summary: input.summary ?? '',
          body: input.body ?? '',
          url: input.url ?? null,
        },
        fields: FIELDS,
        label: 'ARTICLE_PUBLISHED',
      }),
    }),
  }),
  updateArticle: t.field({
    type: ArticlePayload,
    description:
      'Changes some fields of an article (a correction, say). CONFLICT if someone changed it since `expectedVersion`. Needs an editor token.',
    authScopes: { editor: true },
    args: {
      input: t.arg({ type: UpdateArticleInput, required: true, description: 'The change.' }),
    },
    resolve: async (_root, { input }, ctx) => ({
      article: await updateEntity<ArticleRow>(ctx.viewer, {
        type: 'Article',
        id: String(input.id),
        expectedVersion: input.expectedVersion,
        patch: given(input.patch),
        nullable: ['url'],
        label: (changes) =>
          changes.some((c) => c.field === 'headline' || c.field === 'body')
            ? 'ARTICLE_REVISED'
            : null,
      }),
    }),
  }),
  deleteArticle: t.field({
    type: DeletePayload,
    description: 'Removes an article with its mentions. Needs an admin token.',
    authScopes: { admin: true },
    args: { input: t.arg({ type: DeleteInput, required: true, description: 'What to delete.' }) },
    resolve: async (_root, { input }, ctx) => {
      await deleteEntity(ctx.viewer, {
        type: 'Article',
        id: String(input.id),
        expectedVersion: input.expectedVersion,
      });
      return { deletedId: String(input.id) };
    },
  }),
}));
