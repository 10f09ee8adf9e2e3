"""Write side: load articles, split sentences, chunk, embed, store."""
