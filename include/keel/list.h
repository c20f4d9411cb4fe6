/*
 * keel/list.h - intrusive circular doubly-linked lists (as in Linux and
 * BSD queue(3)).  A list head is a struct list whose next/prev point at
 * itself when empty; the lock that protects a list is named where the list
 * is declared.
 */
#ifndef KEEL_LIST_H
#define KEEL_LIST_H

#include <keel/compiler.h>

struct list {
	struct list *next, *prev;
};

#define LIST_INIT(name) { &(name), &(name) }

static inline void list_init(struct list *l)
{
	l->next = l->prev = l;
}

static inline bool list_empty(const struct list *l)
{
	return l->next == l;
}

static inline void list_insert_between(struct list *n, struct list *prev, struct list *next)
{
	n->next = next;
	n->prev = prev;
	prev->next = n;
	next->prev = n;
}

/* Add n at the tail of l. */
static inline void list_add_tail(struct list *l, struct list *n)
{
	list_insert_between(n, l->prev, l);
}

/* Add n at the head of l. */
static inline void list_add_head(struct list *l, struct list *n)
{
	list_insert_between(n, l, l->next);
}

/* Unlink n and make it an empty list (so a second removal is harmless). */
static inline void list_remove(struct list *n)
{
	n->prev->next = n->next;
	n->next->prev = n->prev;
	list_init(n);
}

#define list_entry(ptr, type, member) container_of(ptr, type, member)
#define list_first(l, type, member) \
	(list_empty(l) ? NULL : list_entry((l)->next, type, member))
#define list_for_each(pos, l) for (pos = (l)->next; pos != (l); pos = pos->next)
#define list_for_each_safe(pos, tmp, l) \
	for (pos = (l)->next, tmp = pos->next; pos != (l); pos = tmp, tmp = pos->next)

#endif
