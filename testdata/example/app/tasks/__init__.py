"""Background work run via BackgroundTasks or asyncio."""
